using System.Collections.Concurrent;

namespace Strata.RateLimiting.Internal;

/// <summary>
/// Remembers, per policy and partition, that the store rejected a request until a time T (by this
/// node's clock, from the store's retry-after), so the node rejects that partition itself until T:
/// an abusive client costs no round trips. Bounded: when full, expired entries are dropped first.
/// </summary>
internal sealed class DenyCache(TimeProvider timeProvider, int capacity = 100_000)
{
    private readonly ConcurrentDictionary<(string Policy, string Partition), Entry> _entries = new();

    // Set by the first rejection ever remembered: until then a lookup (two string hashes) is skipped.
    private volatile bool _used;

    public int Count => _entries.Count;

    /// <summary>Remembers a rejection; returns the timestamp (of the time provider) until which it holds, or 0 when nothing was remembered.</summary>
    public long Add(string policy, string partition, int cost, TimeSpan retryAfter, Decision decision)
    {
        if (retryAfter <= TimeSpan.Zero)
        {
            return 0;
        }

        if (_entries.Count >= capacity)
        {
            Trim();
        }

        var until = timeProvider.GetTimestamp() + (long)(retryAfter.TotalSeconds * timeProvider.TimestampFrequency);
        _entries[(policy, partition)] = new Entry(until, cost, decision);
        _used = true;
        return until;
    }

    /// <summary>True when a request of <paramref name="cost"/> permits is known to be rejected now.</summary>
    public bool TryGet(string policy, string partition, int cost, out TimeSpan retryAfter, out Decision? decision, out long until)
    {
        retryAfter = TimeSpan.Zero;
        decision = null;
        until = 0;
        if (!_used || !_entries.TryGetValue((policy, partition), out var entry))
        {
            return false;
        }

        var remaining = entry.Until - timeProvider.GetTimestamp();
        if (remaining <= 0)
        {
            _entries.TryRemove(new KeyValuePair<(string, string), Entry>((policy, partition), entry));
            return false;
        }

        // A smaller request than the one rejected may already fit; only as large or larger ones are known to fail.
        if (cost < entry.Cost || cost == 0)
        {
            return false;
        }

        retryAfter = TimeSpan.FromSeconds((double)remaining / timeProvider.TimestampFrequency);
        decision = entry.Decision;
        until = entry.Until;
        return true;
    }

    private void Trim()
    {
        var now = timeProvider.GetTimestamp();
        foreach (var pair in _entries)
        {
            if (pair.Value.Until <= now)
            {
                _entries.TryRemove(pair);
            }
        }

        if (_entries.Count >= capacity)
        {
            _entries.Clear();
        }
    }

    private sealed record Entry(long Until, int Cost, Decision Decision);
}
