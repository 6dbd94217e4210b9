using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Strata.ApiKeys.Internal;

/// <summary>
/// Whether HybridCache's distributed layer (L2, the <see cref="IDistributedCache"/> registered in DI, which HybridCache
/// uses too) answers. Learned without knowing what the L2 is: a lookup that waits longer than <see cref="SlowAfter"/>
/// on HybridCache makes this class probe the L2 directly (one read of <see cref="ProbeKey"/>, bounded by
/// <see cref="ProbeTimeout"/>); a probe that throws or times out marks the L2 down. While it is down, lookups pass
/// <see cref="HybridCacheEntryFlags.DisableDistributedCache"/> (memory and the store only), and a probe runs every
/// <see cref="FirstCheck"/> doubling up to <see cref="MaxCheck"/> until one succeeds. One warning is logged when the L2
/// is marked down and one information line, with the outage's duration, when it is back.
/// </summary>
/// <remarks>
/// HybridCache itself swallows L2 read and write failures (it logs them and treats a failed read as a miss), so a lookup
/// cannot see one; it only sees the wait, which is the L2 client's command timeout (seconds, for Redis). Without an L2
/// (none registered, or the in-memory <see cref="MemoryDistributedCache"/>, which HybridCache ignores) this does nothing.
/// </remarks>
internal sealed class DistributedCacheHealth : IDisposable
{
    /// <summary>How long a lookup waits on HybridCache before the L2 is probed.</summary>
    internal static readonly TimeSpan SlowAfter = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait for a probe's answer.</summary>
    internal static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(1);

    /// <summary>The first re-probe after the L2 is marked down.</summary>
    internal static readonly TimeSpan FirstCheck = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between two re-probes.</summary>
    internal static readonly TimeSpan MaxCheck = TimeSpan.FromSeconds(10);

    /// <summary>The key a probe reads (a miss is a healthy answer); the L2 adds its own instance prefix.</summary>
    internal const string ProbeKey = "strata:apikeys:l2-probe";

    private readonly IDistributedCache? _distributed;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly CancellationTokenSource _disposed = new();
    private Task<bool>? _probe;
    private volatile bool _down;
    private long _downSince;

    public DistributedCacheHealth(IDistributedCache? distributed, TimeProvider time, ILogger? logger)
    {
        // HybridCache ignores the in-memory IDistributedCache (the same test: that exact type), and so does this.
        _distributed = distributed?.GetType() == typeof(MemoryDistributedCache) ? null : distributed;
        _time = time;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>True when there is an L2 to watch.</summary>
    public bool Watches => _distributed is not null;

    /// <summary>True while the L2 is known to be out of reach.</summary>
    public bool IsDown => _down;

    /// <summary>The flags a lookup adds: <see cref="HybridCacheEntryFlags.DisableDistributedCache"/> while the L2 is down.</summary>
    public HybridCacheEntryFlags Flags => _down ? HybridCacheEntryFlags.DisableDistributedCache : HybridCacheEntryFlags.None;

    /// <summary>
    /// A HybridCache call that may use the distributed layer: done at once when it completed synchronously (a memory
    /// hit) or there is no L2; else watched by <see cref="GuardAsync{T}"/>, and when the L2 is found down first, the
    /// call is left behind and <paramref name="onDown"/> (the same call without the L2) answers instead.
    /// </summary>
    public async ValueTask<T> RunAsync<T>(ValueTask<T> pending, Func<ValueTask<T>> onDown, CancellationToken cancellationToken)
    {
        if (pending.IsCompleted || _distributed is null || _down)
        {
            // Known down: the call was made without the L2 (see Flags).
            return await pending.ConfigureAwait(false);
        }

        var (completed, result) = await GuardAsync(pending.AsTask(), cancellationToken).ConfigureAwait(false);
        return completed ? result : await onDown().ConfigureAwait(false);
    }

    /// <summary>As <see cref="RunAsync{T}"/> for a call without a result; a null <paramref name="onDown"/> does nothing more.</summary>
    public async ValueTask RunAsync(ValueTask pending, Func<ValueTask>? onDown, CancellationToken cancellationToken)
    {
        if (pending.IsCompleted || _distributed is null)
        {
            await pending.ConfigureAwait(false);
            return;
        }

        var task = pending.AsTask();
        if (_down)
        {
            if (onDown is null)
            {
                // A removal: the part done at once (memory) is done; the L2's is left to finish or fail.
                Observe(task);
                return;
            }

            await task.ConfigureAwait(false);   // made without the L2 (see Flags)
            return;
        }

        try
        {
            if ((await GuardAsync(AsTrueAsync(task), cancellationToken).ConfigureAwait(false)).Completed)
            {
                return;
            }
        }
        catch (Exception) when (onDown is null && !cancellationToken.IsCancellationRequested)
        {
            // A removal whose L2 part failed (HybridCache passes that failure on, where it swallows read and write
            // failures): the memory part is done and the entry expires from the L2 within its lifetime. Whether the
            // L2 is out of reach is the probe's to tell, and its warning's to say.
            _ = ProbeAsync();
            return;
        }

        if (onDown is not null)
        {
            await onDown().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Waits for <paramref name="pending"/>, a HybridCache call that may use the L2. When it takes longer than
    /// <see cref="SlowAfter"/>, the L2 is probed: if the probe finds it down before the call ends, returns
    /// <c>(false, default)</c> at once (the caller goes on without the L2; the call is left to finish in the
    /// background), else the call's result.
    /// </summary>
    public async Task<(bool Completed, T Result)> GuardAsync<T>(Task<T> pending, CancellationToken cancellationToken)
    {
        try
        {
            return (true, await pending.WaitAsync(SlowAfter, _time, cancellationToken).ConfigureAwait(false));
        }
        catch (TimeoutException)
        {
            // Slow: find out whether the L2 is the reason.
        }

        var down = ProbeAsync();
        var first = await Task.WhenAny(pending, down).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (first == pending || !await down.ConfigureAwait(false))
        {
            // The call ended first, or the L2 answers (the store is what is slow): wait for the call.
            return (true, await pending.WaitAsync(cancellationToken).ConfigureAwait(false));
        }

        Observe(pending);
        return (false, default!);
    }

    /// <summary>
    /// Probes the L2 unless a probe is running (its answer is shared); true when the L2 is down. Marks the L2 down
    /// (one warning) when the probe fails.
    /// </summary>
    public Task<bool> ProbeAsync()
    {
        if (_distributed is null || _disposed.IsCancellationRequested)
        {
            return Task.FromResult(false);
        }

        if (_down)
        {
            return Task.FromResult(true);
        }

        lock (_gate)
        {
            return _probe ??= RunProbeAsync();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed.IsCancellationRequested)
            {
                return;
            }

            _disposed.Cancel();
        }

        _disposed.Dispose();
    }

    private async Task<bool> RunProbeAsync()
    {
        await Task.Yield();
        var failure = await TryReadAsync().ConfigureAwait(false);
        lock (_gate)
        {
            _probe = null;
            if (failure is null || _down || _disposed.IsCancellationRequested)
            {
                return failure is not null;
            }

            _down = true;
            _downSince = _time.GetTimestamp();
        }

        ApiKeysLog.DistributedCacheDown(_logger, _distributed!.GetType().Name, failure, ProbeTimeout);
        _ = WatchAsync(_disposed.Token);
        return true;
    }

    /// <summary>Null when the L2 answered a read of <see cref="ProbeKey"/> within <see cref="ProbeTimeout"/>; else what went wrong.</summary>
    private async Task<string?> TryReadAsync()
    {
        Task<byte[]?> read;
        try
        {
            read = _distributed!.GetAsync(ProbeKey, _disposed.Token);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return ex.GetType().Name;
        }

        try
        {
            await read.WaitAsync(ProbeTimeout, _time, _disposed.Token).ConfigureAwait(false);
            return null;
        }
        catch (TimeoutException)
        {
            Observe(read);
            return "no answer within the probe timeout";
        }
        catch (OperationCanceledException) when (_disposed.IsCancellationRequested)
        {
            Observe(read);
            return "stopping";
        }
        catch (Exception ex)
        {
            // The type only: a client's message may quote its configuration (a password).
            return ex.GetType().Name;
        }
    }

    /// <summary>While the L2 is down: probes it with a capped backoff and marks it back up when a probe succeeds.</summary>
    private async Task WatchAsync(CancellationToken disposed)
    {
        var delay = FirstCheck;
        try
        {
            while (true)
            {
                await Task.Delay(delay, _time, disposed).ConfigureAwait(false);
                if (await TryReadAsync().ConfigureAwait(false) is null)
                {
                    break;
                }

                delay = delay * 2 < MaxCheck ? delay * 2 : MaxCheck;
            }
        }
        catch (OperationCanceledException)
        {
            return; // the host is stopping
        }

        TimeSpan duration;
        lock (_gate)
        {
            if (_disposed.IsCancellationRequested)
            {
                return;
            }

            duration = _time.GetElapsedTime(_downSince);
            _down = false;
        }

        ApiKeysLog.DistributedCacheBack(_logger, _distributed!.GetType().Name, duration);
    }

    private static async Task<bool> AsTrueAsync(Task task)
    {
        await task.ConfigureAwait(false);
        return true;
    }

    /// <summary>A call left behind still completes later; observe its fault so it is not reported as unobserved.</summary>
    private static void Observe(Task task) =>
        _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
}
