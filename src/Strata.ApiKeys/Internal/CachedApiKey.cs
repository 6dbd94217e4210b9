using System.ComponentModel;

namespace Strata.ApiKeys.Internal;

/// <summary>A cached lookup result: the record (null when unknown) and when it was read from the store.</summary>
/// <remarks>
/// Immutable to HybridCache (its memory layer hands out this instance rather than a copy) except for the one-shot
/// claim of <see cref="TakeWrite"/>, a private field that is not serialized.
/// </remarks>
[ImmutableObject(true)]
internal sealed class CachedApiKey
{
    private int _unwritten;

    public ApiKeyRecord? Record { get; init; }

    public DateTimeOffset LoadedAt { get; init; }

    /// <summary>A store lookup's answer, which no cache layer holds yet under its own lifetime.</summary>
    public static CachedApiKey Loaded(ApiKeyRecord? record, DateTimeOffset loadedAt)
        => new() { Record = record, LoadedAt = loadedAt, _unwritten = 1 };

    /// <summary>
    /// True for exactly one caller of an entry made by <see cref="Loaded"/>: the one that writes it to the caches. False
    /// for every other caller sharing that lookup, and for an entry read from a cache.
    /// </summary>
    public bool TakeWrite() => Volatile.Read(ref _unwritten) == 1 && Interlocked.Exchange(ref _unwritten, 0) == 1;
}
