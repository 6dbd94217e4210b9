using Microsoft.Extensions.Logging;
using Strata.Jobs.Backends;

namespace Strata.Jobs.Internal;

/// <summary>
/// This host's view of the fleet-wide pause flags: one reader per host reads <see cref="IJobBackend.GetPausedQueuesAsync"/>
/// every <see cref="RefreshInterval"/> and marks the queues' <see cref="QueueSelector.QueueState.Paused"/>, which the
/// dispatch loop reads. A queue paused anywhere is skipped here within one interval (plus the read's round trip).
/// When the backend cannot be read the last known flags stay, and the outage is logged once (not at all when the
/// backend reports it itself through <see cref="IJobBackend.DescribeOutage"/>).
/// </summary>
internal sealed class PausedQueues
{
    /// <summary>How often the flags are read.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(500);

    private readonly IJobBackend _backend;
    private readonly IReadOnlyList<QueueSelector.QueueState> _queues;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private TaskCompletionSource _refreshed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _failing;

    public PausedQueues(IJobBackend backend, IReadOnlyList<QueueSelector.QueueState> queues, TimeProvider time, ILogger logger)
    {
        _backend = backend;
        _queues = queues;
        _time = time;
        _logger = logger;
    }

    /// <summary>Completes after the next read of the flags, whatever its outcome.</summary>
    public Task Refreshed
    {
        get
        {
            lock (_gate)
            {
                return _refreshed.Task;
            }
        }
    }

    /// <summary>Completes the next time a queue is paused or resumed on this host.</summary>
    public Task Changed
    {
        get
        {
            lock (_gate)
            {
                return _changed.Task;
            }
        }
    }

    /// <summary>Reads the flags now and every <see cref="RefreshInterval"/> after, until <paramref name="stopping"/> fires.</summary>
    /// <param name="first">Completes after the first read, so the workers take no job before they know what is paused.</param>
    /// <param name="stopping">Stops the reads.</param>
    public async Task RunAsync(TaskCompletionSource first, CancellationToken stopping)
    {
        try
        {
            // The timer starts before the first read, so the reads keep their pace from the workers' start.
            using var timer = new PeriodicTimer(RefreshInterval, _time);
            await RefreshAsync(stopping).ConfigureAwait(false);
            first.TrySetResult();
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
            {
                await RefreshAsync(stopping).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        finally
        {
            first.TrySetResult();
        }
    }

    /// <summary>Reads the flags once and applies them; keeps the last known ones when the read fails.</summary>
    internal async Task RefreshAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<string>? paused = null;
        try
        {
            paused = await _backend.GetPausedQueuesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            if (!_failing && _backend.DescribeOutage() is null)
            {
                // A backend that knows its store is out of reach logs the outage itself: no second line, no stack.
                _failing = true;
                JobsLog.PauseReadFailed(_logger, _backend.Name, ex);
            }
        }

        if (paused is not null)
        {
            if (_failing)
            {
                _failing = false;
                JobsLog.PauseReadRestored(_logger, _backend.Name);
            }

            Apply(paused);
        }

        TaskCompletionSource refreshed;
        lock (_gate)
        {
            refreshed = _refreshed;
            _refreshed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        refreshed.TrySetResult();
    }

    private void Apply(IReadOnlyList<string> paused)
    {
        var changed = false;
        foreach (var queue in _queues)
        {
            var now = paused.Contains(queue.Name, StringComparer.Ordinal);
            if (now == queue.Paused)
            {
                continue;
            }

            queue.Paused = now;
            changed = true;
            if (now)
            {
                JobsLog.QueuePaused(_logger, queue.Name);
            }
            else
            {
                JobsLog.QueueResumed(_logger, queue.Name);
            }
        }

        if (!changed)
        {
            return;
        }

        TaskCompletionSource signal;
        lock (_gate)
        {
            signal = _changed;
            _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        signal.TrySetResult();
    }
}
