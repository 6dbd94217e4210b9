using System.ComponentModel;

namespace Strata.ApiKeys.Internal;

/// <summary>A cached lookup result: the record (null when unknown) and when it was read from the store.</summary>
[ImmutableObject(true)]
internal sealed class CachedApiKey
{
    public ApiKeyRecord? Record { get; init; }

    public DateTimeOffset LoadedAt { get; init; }

    /// <summary>True once a negative entry was re-written with the short negative lifetime.</summary>
    public bool Shortened { get; init; }
}
