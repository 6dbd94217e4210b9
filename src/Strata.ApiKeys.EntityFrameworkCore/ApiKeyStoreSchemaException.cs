namespace Strata.ApiKeys.EntityFrameworkCore;

/// <summary>The database lacks the API-key table or a column this version maps; the message names the fix.</summary>
internal sealed class ApiKeyStoreSchemaException : Exception
{
    public ApiKeyStoreSchemaException()
    {
    }

    public ApiKeyStoreSchemaException(string message)
        : base(message)
    {
    }

    public ApiKeyStoreSchemaException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
