using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Options;
using Strata.Shared;

namespace Strata.ApiKeys.Internal;

/// <summary>
/// Counts failed attempts per client address in fixed windows (IPv6 per /64). An address over the limit is
/// blocked until its window ends: its malformed and unknown keys get 429, and its store lookups go one at a time
/// (<see cref="WaitForLookupTurnAsync"/>), while its valid keys are still accepted. Memory is bounded by <see cref="ApiKeyBruteForceOptions.MaxTrackedAddresses"/>.
/// </summary>
internal sealed class BruteForceGuard
{
    private readonly ConcurrentDictionary<string, Window> _windows = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly IOptionsMonitor<ApiKeysOptions> _options;
    private int _sweeping;
    private int _waitingLookups;

    /// <summary>
    /// Entries in <see cref="_windows"/>, never below the real count: raised before an add, lowered after a removal.
    /// Zero means nothing is tracked, so <see cref="IsBlocked"/> returns without building the address key.
    /// </summary>
    private int _tracked;

    public BruteForceGuard(TimeProvider time, IOptionsMonitor<ApiKeysOptions> options)
    {
        _time = time;
        _options = options;
    }

    public int TrackedCount => _windows.Count;

    /// <summary>The count the fast path reads; equals <see cref="TrackedCount"/> when no call is in flight.</summary>
    internal int TrackedCounter => Volatile.Read(ref _tracked);

    /// <summary>True when the address is blocked; <paramref name="retryAfter"/> says for how long.</summary>
    public bool IsBlocked(IPAddress? address, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        var options = _options.CurrentValue.BruteForce;
        if (!options.Enabled || Volatile.Read(ref _tracked) == 0 || !_windows.TryGetValue(ClientAddressKey.Of(address), out var window))
        {
            return false;
        }

        var now = _time.GetUtcNow();
        lock (window)
        {
            var end = window.Start + options.Window;
            if (now >= end || window.Failures < options.PermitFailures)
            {
                return false;
            }

            retryAfter = end - now;
            return true;
        }
    }

    /// <summary>
    /// Waits for the blocked address's turn to ask the store: one store lookup at a time per address, so a blocked
    /// client sending well-formed keys that are not cached costs the store one sequential lookup stream, however many
    /// requests it sends at once, while a valid key from the same address (behind the same NAT) is still looked up
    /// rather than refused. Dispose the result to let the next one in.
    /// </summary>
    public async ValueTask<LookupTurn> WaitForLookupTurnAsync(IPAddress? address, CancellationToken cancellationToken)
    {
        if (!_windows.TryGetValue(ClientAddressKey.Of(address), out var window))
        {
            return default;  // the window was swept meanwhile: the address is no longer blocked
        }

        Interlocked.Increment(ref _waitingLookups);
        try
        {
            await window.LookupGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref _waitingLookups);
        }

        return new LookupTurn(window.LookupGate);
    }

    /// <summary>Requests of blocked addresses waiting for their turn to ask the store (for tests).</summary>
    internal int WaitingLookups => Volatile.Read(ref _waitingLookups);

    /// <summary>Counts a failure; true when this failure used up the address's allowance (it is blocked from now on).</summary>
    public bool RecordFailure(IPAddress? address)
    {
        var options = _options.CurrentValue.BruteForce;
        if (!options.Enabled)
        {
            return false;
        }

        var now = _time.GetUtcNow();
        var window = GetOrAddWindow(ClientAddressKey.Of(address), now);
        bool blockedNow;
        lock (window)
        {
            if (now >= window.Start + options.Window)
            {
                window.Start = now;
                window.Failures = 0;
            }

            window.Failures++;
            blockedNow = window.Failures == options.PermitFailures;
        }

        if (_windows.Count > options.MaxTrackedAddresses)
        {
            Sweep(now, options);
        }

        return blockedNow;
    }

    private Window GetOrAddWindow(string key, DateTimeOffset now)
    {
        while (true)
        {
            if (_windows.TryGetValue(key, out var existing))
            {
                return existing;
            }

            // Counted before it becomes visible, so IsBlocked never sees zero while an entry exists.
            Interlocked.Increment(ref _tracked);
            var created = new Window { Start = now };
            if (_windows.TryAdd(key, created))
            {
                return created;
            }

            Interlocked.Decrement(ref _tracked);
        }
    }

    private void Remove(string key)
    {
        if (_windows.TryRemove(key, out _))
        {
            Interlocked.Decrement(ref _tracked);
        }
    }

    private void Sweep(DateTimeOffset now, ApiKeyBruteForceOptions options)
    {
        if (Interlocked.Exchange(ref _sweeping, 1) == 1)
        {
            return;
        }

        try
        {
            foreach (var (key, window) in _windows)
            {
                if (now >= window.Start + options.Window)
                {
                    Remove(key);
                }
            }

            // Still over the bound (a flood of distinct addresses): drop half the table, addresses that are not
            // blocked first (oldest first), so a client cannot lift its own block by failing from many other
            // addresses. Blocked addresses go only when the table is full of them.
            if (_windows.Count > options.MaxTrackedAddresses)
            {
                var permit = options.PermitFailures;
                var victims = _windows
                    .Select(static p => (p.Key, p.Value.Start, p.Value.Failures))
                    .OrderBy(p => p.Failures >= permit)
                    .ThenBy(static p => p.Start)
                    .Take(_windows.Count / 2)
                    .Select(static p => p.Key)
                    .ToList();
                foreach (var key in victims)
                {
                    Remove(key);
                }
            }
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }

    private sealed class Window
    {
        public DateTimeOffset Start { get; set; }

        public int Failures { get; set; }

        /// <summary>One store lookup at a time while the address is blocked (never disposed: it has no wait handle).</summary>
        public SemaphoreSlim LookupGate { get; } = new(1, 1);
    }

    /// <summary>A blocked address's turn at the store; disposing it lets the next request of that address in.</summary>
    internal readonly struct LookupTurn(SemaphoreSlim? gate) : IDisposable
    {
        public void Dispose() => gate?.Release();
    }
}
