using Microsoft.Extensions.Caching.Hybrid;

namespace Strata.ApiKeys.Internal;

/// <summary>
/// HybridCache entry options of the lookups, per lifetime and with or without the distributed layer, reused across
/// requests (the hot path allocates none).
/// </summary>
internal sealed class LookupEntryOptions
{
    /// <summary>Reads HybridCache without calling the store and without writing anything.</summary>
    public static readonly HybridCacheEntryOptions Peek = new()
    {
        Flags = HybridCacheEntryFlags.DisableUnderlyingData | HybridCacheEntryFlags.DisableLocalCacheWrite | HybridCacheEntryFlags.DisableDistributedCacheWrite,
    };

    /// <summary>As <see cref="Peek"/>, from memory only (the distributed layer is down).</summary>
    public static readonly HybridCacheEntryOptions PeekLocal = new()
    {
        Flags = Peek.Flags | HybridCacheEntryFlags.DisableDistributedCache,
    };

    // [found or unknown] x [the distributed layer read and written, only read, or off]
    private readonly HybridCacheEntryOptions?[] _cached = new HybridCacheEntryOptions?[8];

    /// <summary>The options for an entry of <paramref name="lifetime"/> (a found record's, or an unknown key's when <paramref name="unknown"/>).</summary>
    public HybridCacheEntryOptions For(TimeSpan lifetime, bool unknown, HybridCacheEntryFlags flags)
    {
        var slot = (unknown ? 4 : 0)
            + ((flags & HybridCacheEntryFlags.DisableDistributedCache) == HybridCacheEntryFlags.DisableDistributedCache ? 2 : 0)
            + ((flags & HybridCacheEntryFlags.DisableDistributedCacheWrite) != 0 ? 1 : 0);
        var cached = Volatile.Read(ref _cached[slot]);
        if (cached is not null && cached.Expiration == lifetime && (cached.Flags ?? HybridCacheEntryFlags.None) == flags)
        {
            return cached;
        }

        var created = new HybridCacheEntryOptions
        {
            Expiration = lifetime,
            LocalCacheExpiration = lifetime,
            Flags = flags == HybridCacheEntryFlags.None ? null : flags,
        };
        Volatile.Write(ref _cached[slot], created);
        return created;
    }
}
