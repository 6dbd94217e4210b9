using Microsoft.Extensions.Logging;
using Strata.Jobs.Backends;

namespace Strata.Jobs.Internal;

/// <summary>
/// The workers' shutdown: the two tokens (stop taking work; interrupt running jobs), the count of received jobs
/// whose attempt has not ended, and the drain that waits for them. On shutdown the dispatch loop stops taking work
/// (in memory only once the queues are empty, within the drain window), running jobs may drain, then their tokens
/// fire and interrupted jobs go back to their queue.
/// </summary>
internal sealed class ShutdownDrain : IDisposable
{
    private readonly IJobBackend _backend;
    private readonly IReadOnlyList<QueueSelector.QueueState> _queues;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _drainTimeout;
    private readonly TimeSpan _gracePeriod;
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _jobsShutdown = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _queuesEmptied = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _emptyingQueues;
    private int _inFlight;

    public ShutdownDrain(IJobBackend backend, IReadOnlyList<QueueSelector.QueueState> queues, TimeSpan drainTimeout, TimeSpan gracePeriod, TimeProvider time, ILogger logger)
    {
        _backend = backend;
        _queues = queues;
        _drainTimeout = drainTimeout;
        _gracePeriod = gracePeriod;
        _time = time;
        _logger = logger;
    }

    /// <summary>Fires when the workers stop taking work.</summary>
    public CancellationToken Stopping => _stopping.Token;

    public bool IsStopping => _stopping.IsCancellationRequested;

    /// <summary>Fires when running jobs are interrupted (the drain is over); the token every job context carries.</summary>
    public CancellationToken JobsShutdown => _jobsShutdown.Token;

    public bool JobsShuttingDown => _jobsShutdown.IsCancellationRequested;

    /// <summary>Jobs received from the backend whose attempt has not ended (running, or waiting in a batch to start).</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    public void Received(int count) => Interlocked.Add(ref _inFlight, count);

    /// <summary>A received job's attempt ended (after its slot went back).</summary>
    public void Ended()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0 && _stopping.IsCancellationRequested)
        {
            _drained.TrySetResult();
        }

        CheckQueuesEmptied();
    }

    /// <summary>While the queues are being emptied on shutdown: signals once nothing is left queued.</summary>
    public void CheckQueuesEmptied()
    {
        if (Volatile.Read(ref _emptyingQueues) == 1 && !_queuesEmptied.Task.IsCompleted && QueuedJobs() == 0)
        {
            _queuesEmptied.TrySetResult();
        }
    }

    /// <summary>Stops taking work, drains, interrupts what is left and waits for it to be handed back.</summary>
    /// <param name="dispatch">The dispatch loop, which returns once <see cref="Stopping"/> fires.</param>
    /// <param name="background">The backend's background work, if it runs.</param>
    /// <param name="cancellationToken">The host's shutdown token (bounds the drain, not the hand-back).</param>
    public async Task DrainAsync(Task dispatch, Task? background, CancellationToken cancellationToken)
    {
        var drainStarted = _time.GetTimestamp();
        if (_backend.JobsLiveInProcess)
        {
            await EmptyQueuesAsync(cancellationToken).ConfigureAwait(false);
        }

        // Stop taking work. A job the dispatch loop runs inline counts as in flight, so the drain covers it too.
        await _stopping.CancelAsync().ConfigureAwait(false);
        var ended = EndedAsync(dispatch);
        if (!ended.IsCompleted)
        {
            var left = _drainTimeout - _time.GetElapsedTime(drainStarted);
            left = left > TimeSpan.Zero ? left : TimeSpan.Zero;
            JobsLog.Draining(_logger, Volatile.Read(ref _inFlight), left);
            try
            {
                await ended.WaitAsync(left, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
            {
                JobsLog.DrainTimedOut(_logger, Volatile.Read(ref _inFlight));
            }
        }

        // Fire the running jobs' tokens and wait for the interrupted jobs to be handed back to their queue. Not bounded
        // by the host's token: when the drain used up the host's shutdown timeout (or services stopped before this one
        // used part of it) that token has fired already, and a host that went on to dispose its services would cut the
        // hand-back short, leaving the job marked running until its lease ran out. Handlers that honour their token end
        // at once; one that ignores it is waited for no longer than TimeoutGracePeriod.
        await _jobsShutdown.CancelAsync().ConfigureAwait(false);
        if (!ended.IsCompleted)
        {
            try
            {
                await ended.WaitAsync(_gracePeriod, _time, CancellationToken.None).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                JobsLog.HandBackTimedOut(_logger, Volatile.Read(ref _inFlight), _gracePeriod);
            }
        }

        if (background is not null)
        {
            await background.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (_backend.JobsLiveInProcess && _backend.CountWaitingJobs() is var lost and > 0)
        {
            JobsLog.JobsLost(_logger, lost, _backend.Name);
        }
    }

    public void Dispose()
    {
        _stopping.Dispose();
        _jobsShutdown.Dispose();
    }

    /// <summary>
    /// In memory, a waiting job has nowhere else to go: nothing runs it once this process ends. So the workers keep
    /// taking queued jobs, within the drain window, until the queues are empty; only then do they stop taking work.
    /// </summary>
    private async Task EmptyQueuesAsync(CancellationToken cancellationToken)
    {
        var queued = QueuedJobs();
        if (queued == 0)
        {
            return;
        }

        JobsLog.EmptyingQueues(_logger, queued, _backend.Name, _drainTimeout);
        Volatile.Write(ref _emptyingQueues, 1);
        CheckQueuesEmptied();
        try
        {
            await _queuesEmptied.Task.WaitAsync(_drainTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            // The drain window is over: stop taking work; the jobs still queued are counted as lost at the end.
        }
    }

    private long QueuedJobs()
    {
        // A paused queue's jobs are not taken, so the drain does not wait for them (they are counted as lost at the end).
        long queued = 0;
        foreach (var queue in _queues)
        {
            if (!queue.Paused)
            {
                queued += _backend.GetDepth(queue.Name);
            }
        }

        return queued;
    }

    /// <summary>Completes when the dispatch loop has returned and no received job is left in flight.</summary>
    private async Task EndedAsync(Task dispatch)
    {
        await dispatch.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (Volatile.Read(ref _inFlight) == 0)
        {
            _drained.TrySetResult();
        }

        await _drained.Task.ConfigureAwait(false);
    }
}
