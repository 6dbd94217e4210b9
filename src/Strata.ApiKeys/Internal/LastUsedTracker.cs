using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Strata.ApiKeys.Internal;

/// <summary>Coalesces last-used times per key in memory; <see cref="FlushAsync"/> writes them in one batch.</summary>
internal sealed partial class LastUsedTracker
{
    private readonly IApiKeyStore _store;
    private readonly ILogger<LastUsedTracker> _logger;
    private readonly ConcurrentDictionary<string, PendingTime> _pending = new(StringComparer.Ordinal);

    public LastUsedTracker(IApiKeyStore store, ILogger<LastUsedTracker> logger)
    {
        _store = store;
        _logger = logger;
    }

    public int PendingCount => _pending.Count;

    /// <summary>
    /// Keeps the newest time per key. A key already pending is updated in place (no allocation per request); only
    /// the first request after a flush adds an entry.
    /// </summary>
    public void Record(string keyId, DateTimeOffset usedAt)
    {
        var ticks = usedAt.UtcTicks;
        while (true)
        {
            var pending = _pending.GetOrAdd(keyId, static (_, t) => new PendingTime(t), ticks);
            if (pending.TryRaise(ticks))
            {
                return;
            }

            // The flush retired this entry (its time was written) and is removing it: help remove it, then add anew.
            _pending.TryRemove(new KeyValuePair<string, PendingTime>(keyId, pending));
        }
    }

    /// <summary>
    /// Writes the pending times. An entry leaves the table only once written, and only when no newer time arrived
    /// meanwhile: a failed or cancelled write (for example at shutdown) loses nothing, and a request recorded during
    /// the write is kept for the next flush.
    /// </summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_pending.IsEmpty)
        {
            return;
        }

        var entries = new List<(string KeyId, PendingTime Pending, long Ticks)>();
        var snapshot = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var (keyId, pending) in _pending)
        {
            var ticks = pending.Ticks;
            if (ticks != PendingTime.Retired)
            {
                entries.Add((keyId, pending, ticks));
                snapshot[keyId] = new DateTimeOffset(ticks, TimeSpan.Zero);
            }
        }

        if (snapshot.Count == 0)
        {
            return;
        }

        try
        {
            await _store.RecordLastUsedAsync(snapshot, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The times stay pending; the next flush tries again with whatever is newest by then.
            ApiKeysLog.FlushFailed(_logger, snapshot.Count, ex);
            return;
        }

        foreach (var (keyId, pending, ticks) in entries)
        {
            // Retires the entry only if it still holds the time just written; a retired entry takes no more
            // updates (Record adds a fresh one), so nothing recorded after the snapshot is lost.
            if (pending.TryRetire(ticks))
            {
                _pending.TryRemove(new KeyValuePair<string, PendingTime>(keyId, pending));
            }
        }
    }

    /// <summary>
    /// The last flush, at shutdown, within the host's shutdown timeout. When the timeout runs out first (the token
    /// fires), the times not written are logged with their count and the stop goes on: a shutdown must not fail, and
    /// crash the process, over last-used metadata.
    /// </summary>
    public async Task FlushAtShutdownAsync(CancellationToken cancellationToken)
    {
        try
        {
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            ApiKeysLog.ShutdownFlushCancelled(_logger, _pending.Count);
        }
    }

    /// <summary>The newest last-used time of one key, in UTC ticks, raised in place.</summary>
    private sealed class PendingTime
    {
        /// <summary>Set once the time was written and the entry is leaving the table; no update is accepted after.</summary>
        public const long Retired = -1;

        private long _ticks;

        public PendingTime(long ticks) => _ticks = ticks;

        public long Ticks => Volatile.Read(ref _ticks);

        /// <summary>Raises the time to <paramref name="ticks"/> if newer; false only when the entry is retired.</summary>
        public bool TryRaise(long ticks)
        {
            var current = Volatile.Read(ref _ticks);
            while (true)
            {
                if (current == Retired)
                {
                    return false;
                }

                if (current >= ticks)
                {
                    return true;
                }

                var seen = Interlocked.CompareExchange(ref _ticks, ticks, current);
                if (seen == current)
                {
                    return true;
                }

                current = seen;
            }
        }

        /// <summary>Retires the entry if it still holds <paramref name="written"/>.</summary>
        public bool TryRetire(long written) => Interlocked.CompareExchange(ref _ticks, Retired, written) == written;
    }
}
