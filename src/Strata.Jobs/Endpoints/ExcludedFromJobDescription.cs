namespace Strata.Jobs;

/// <summary>The metadata <c>ExcludeFromJobDescription()</c> puts on an endpoint.</summary>
internal sealed class ExcludedFromJobDescription : IExcludeFromJobDescriptionMetadata
{
    public static readonly ExcludedFromJobDescription Instance = new();

    public bool ExcludeFromJobDescription => true;
}
