namespace Strata.Jobs.EntityFrameworkCore.Internal;

/// <summary>The database lacks job tables or columns this version maps; the message names the migration to add.</summary>
internal sealed class JobStoreSchemaException : Exception
{
    public JobStoreSchemaException()
    {
    }

    public JobStoreSchemaException(string message)
        : base(message)
    {
    }

    public JobStoreSchemaException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
