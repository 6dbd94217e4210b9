namespace Strata.RateLimiting.Internal;

/// <summary>The metadata <c>ExcludeFromRateLimitDescription()</c> puts on an endpoint.</summary>
internal sealed class ExcludedFromRateLimitDescription : IExcludeFromRateLimitDescriptionMetadata
{
    public static readonly ExcludedFromRateLimitDescription Instance = new();

    public bool ExcludeFromRateLimitDescription => true;
}
