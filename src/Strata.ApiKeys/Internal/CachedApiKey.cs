using System.Text.Json.Serialization;
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

    /// <summary>
    /// True on the entry a store lookup just made, which no cache layer holds yet under its own lifetime: the lookup
    /// writes it (see <see cref="ApiKeyLookup"/>). Not serialized, so an entry read from the distributed cache is false.
    /// </summary>
    [JsonIgnore]
    public bool Loaded { get; init; }
}
