namespace Strata.ApiKeys.Internal;

/// <summary>The metadata <c>ExcludeFromApiKeyDescription()</c> puts on an endpoint.</summary>
internal sealed class ExcludedFromApiKeyDescription : IExcludeFromApiKeyDescriptionMetadata
{
    public static readonly ExcludedFromApiKeyDescription Instance = new();

    public bool ExcludeFromApiKeyDescription => true;
}
