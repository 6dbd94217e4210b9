using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Strata.Jobs.Backends;

namespace Strata.Jobs.Internal;

/// <summary>
/// The workers: one dispatch loop that fills free slots (<see cref="WorkerSlots"/>) from the queues by weight, in
/// batches, and hands each batch to a few thread-pool work items that start its jobs one after another
/// (<see cref="JobAttemptRunner"/>). A handler that completes synchronously costs no task, timer or cancellation
/// source of its own; one that awaits goes on by itself and frees its slot when it ends. On shutdown
/// (<see cref="ShutdownDrain"/>) the loop stops taking work; jobs received but not yet started go back to their
/// queue, running jobs may drain, then their tokens fire and interrupted jobs go back too. Queues paused fleet-wide
/// (<see cref="PausedQueues"/>) are skipped; fleet-wide limits (<see cref="FleetLimits"/>) are checked per job before it
/// starts.
/// </summary>
internal sealed class JobWorker : IHostedService, IDisposable
{
    /// <summary>The log category, as it was before the class moved to <c>Strata.Jobs.Internal</c> (log filters name it).</summary>
    internal const string LogCategory = "Strata.Jobs.JobWorker";

    private const int MaxBatch = 256;

    /// <summary>A hint of work that comes back sooner than this, with nothing to take, may be a paused queue's (see <see cref="WaitForWorkAsync"/>).</summary>
    private static readonly TimeSpan QuickHint = TimeSpan.FromMilliseconds(50);

    private readonly IJobBackend _backend;
    private readonly JobTypeRegistry _registry;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly JobsOptions _options;
    private readonly QueueSelector _selector;
    private readonly RetryPolicy _retry;
    private readonly WorkerSlots _slots;
    private readonly ShutdownDrain _drain;
    private readonly JobAttemptRunner _attempts;
    private readonly PausedQueues _paused;
    private readonly FleetLimits _limits;
    private readonly CancellationTokenSource _renewalsStop = new();
    private readonly TaskCompletionSource _pauseFlagsRead = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _runners = Math.Max(1, Environment.ProcessorCount);
    private TaskCompletionSource? _stopped;
    private int _disposed;
    private Task? _dispatch;
    private Task? _background;
    private Task? _pauseReader;
    private Task? _renewals;

    public JobWorker(
        IJobBackend backend,
        JobTypeRegistry registry,
        RunningJobs running,
        IServiceScopeFactory scopes,
        JobsMetrics metrics,
        TimeProvider time,
        IOptions<JobsOptions> options,
        IOptions<HostOptions> hostOptions,
        ILoggerFactory loggerFactory)
    {
        _backend = backend;
        _registry = registry;
        _time = time;
        _logger = loggerFactory.CreateLogger(LogCategory);
        _options = options.Value;
        var drainTimeout = _options.ShutdownDrainTimeout ?? hostOptions.Value.ShutdownTimeout * 0.8;
        _selector = new QueueSelector(_options.GetEffectiveQueues());
        _retry = new RetryPolicy(_options, _logger);
        _slots = new WorkerSlots(_options.Concurrency);
        _drain = new ShutdownDrain(backend, _selector.Queues, drainTimeout, _options.TimeoutGracePeriod, time, _logger);
        _paused = new PausedQueues(backend, _selector.Queues, time, _logger);
        _limits = new FleetLimits(backend, _options, time, _logger);
        _attempts = new JobAttemptRunner(backend, registry, running, scopes, metrics, time, _logger, _options.TimeoutGracePeriod, _retry, _slots, _drain, _limits);
    }

    /// <summary>Jobs received from the backend whose attempt has not ended (running, or waiting in a batch to start).</summary>
    internal int InFlight => _drain.InFlight;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_options.RunWorkers)
        {
            JobsLog.NoWorkers(_logger, _backend.Description);
            return Task.CompletedTask;
        }

        JobsLog.WorkersStarting(_logger, _backend.Description, _options.Concurrency, _selector.Count);
        var queues = _selector.Names;
        var stopping = _drain.Stopping;
        _background = Task.Run(() => RunBackgroundAsync(queues, stopping), CancellationToken.None);
        _pauseReader = Task.Run(() => _paused.RunAsync(_pauseFlagsRead, stopping), CancellationToken.None);
        if (_limits.HoldsSlots)
        {
            // Runs until the drain is over: jobs that drain after the workers stop taking work still hold their slots.
            var renewalsStop = _renewalsStop.Token;
            _renewals = Task.Run(() => _limits.RunRenewalsAsync(renewalsStop), CancellationToken.None);
        }

        _dispatch = Task.Run(() => DispatchAsync(stopping), CancellationToken.None);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        // The workers stop once. A host can be stopped again, also while or after it is disposed (WebApplicationFactory
        // stops a host that Program's RunAsync is stopping and disposing): a later call waits for the first stop, or
        // returns when the worker is already disposed, instead of touching disposed state.
        if (_dispatch is null || Volatile.Read(ref _disposed) != 0)
        {
            return Task.CompletedTask;
        }

        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = Interlocked.CompareExchange(ref _stopped, stopped, null);
        return first is null ? StopOnceAsync(stopped, cancellationToken) : first.Task;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _drain.Dispose();
        _renewalsStop.Cancel();
        _renewalsStop.Dispose();
    }

    /// <summary>Exponential backoff with jitter (<see cref="RetryPolicy.Delay"/>).</summary>
    internal TimeSpan RetryDelay(int failedAttempt) => _retry.Delay(failedAttempt);

    private async Task StopOnceAsync(TaskCompletionSource stopped, CancellationToken cancellationToken)
    {
        try
        {
            await _drain.DrainAsync(_dispatch!, _background, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await _renewalsStop.CancelAsync().ConfigureAwait(false);
            // Both end at once unless a backend call ignores its token: then they are not waited for long.
            await Task.WhenAll(_pauseReader ?? Task.CompletedTask, _renewals ?? Task.CompletedTask)
                .WaitAsync(_options.TimeoutGracePeriod, _time).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            stopped.TrySetResult();
        }
    }

    private async Task RunBackgroundAsync(IReadOnlyList<string> queues, CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await _backend.RunAsync(queues, stopping).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                JobsLog.BackgroundFailed(_logger, _backend.Name, ex);
                await DelayQuietlyAsync(TimeSpan.FromSeconds(1), stopping).ConfigureAwait(false);
            }
        }
    }

    private async Task DispatchAsync(CancellationToken stopping)
    {
        // No job is taken before this host knows which queues are paused.
        await _pauseFlagsRead.Task.WaitAsync(stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        var emptyQuickHints = 0;
        while (!stopping.IsCancellationRequested)
        {
            var free = _slots.Free;
            if (free == 0)
            {
                if (!await _slots.WaitForSlotAsync(stopping).ConfigureAwait(false))
                {
                    return;
                }

                continue;
            }

            // Only this loop takes slots; runners only give them back, so the count cannot drop below what was read.
            var take = Math.Min(free, MaxBatch);
            _slots.Take(take);
            var started = 0;
            try
            {
                var order = _selector.Order();
                for (var q = 0; q < order.Count; q++)
                {
                    var queue = order[q];
                    var want = Math.Min(take - started, queue.Room);
                    if (want <= 0)
                    {
                        continue;
                    }

                    var batch = await _backend.ReceiveAsync(queue.Name, want, stopping).ConfigureAwait(false);
                    if (batch.Count > 0)
                    {
                        started += batch.Count;
                        Interlocked.Add(ref queue.Running, batch.Count);
                        _drain.Received(batch.Count);
                        Hand(batch, queue);
                    }

                    if (started == take)
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                JobsLog.ReceiveFailed(_logger, _backend.Name, ex);
                _slots.Return(take - started);
                started = take;
                await DelayQuietlyAsync(TimeSpan.FromSeconds(1), stopping).ConfigureAwait(false);
                continue;
            }
            finally
            {
                if (started < take)
                {
                    _slots.Return(take - started);
                }
            }

            _drain.CheckQueuesEmptied();
            if (started > 0)
            {
                emptyQuickHints = 0;
            }
            else
            {
                emptyQuickHints = await WaitForWorkAsync(stopping, emptyQuickHints).ConfigureAwait(false) ? emptyQuickHints + 1 : 0;
            }
        }
    }

    /// <summary>
    /// Starts a batch. Jobs whose handlers give the thread back quickly run here, on the dispatch loop, one after
    /// another (a handler that awaits goes on by itself); no task, work item or thread hop per job. A job type whose
    /// handler has lately held the thread for long before its first await (see <see cref="JobTypeRegistration.HoldsThread"/>)
    /// is started on the thread pool instead, so one slow synchronous handler does not hold up the others.
    /// </summary>
    private void Hand(IReadOnlyList<JobDelivery> batch, QueueSelector.QueueState queue)
    {
        List<JobDelivery>? offloaded = null;
        for (var i = 0; i < batch.Count; i++)
        {
            var delivery = batch[i];
            if (_registry.TryGetHandler(delivery.Envelope.JobType, out var registration) && registration.HoldsThread)
            {
                (offloaded ??= []).Add(delivery);
                continue;
            }

            Run(delivery, queue, registration);
        }

        if (offloaded is not null)
        {
            var runners = Math.Min(offloaded.Count, _runners);
            for (var i = 0; i < runners; i++)
            {
                ThreadPool.UnsafeQueueUserWorkItem(new BatchRunner(this, offloaded, i, runners, queue), preferLocal: false);
            }
        }
    }

    /// <summary>Runs a job up to its handler's first incomplete await and records how long that held the thread.</summary>
    private void Run(JobDelivery delivery, QueueSelector.QueueState queue, JobTypeRegistration? registration)
    {
        var before = Stopwatch.GetTimestamp();

        // A job that awaits goes on by itself; it ends (and frees its slot) in JobAttemptRunner.RunAsync, which never throws.
        var running = _attempts.RunAsync(delivery, queue, registration);
        registration?.RecordThreadHold(Stopwatch.GetTimestamp() - before);
        if (running.IsCompleted)
        {
            running.GetAwaiter().GetResult();
        }
        else
        {
            _ = running.AsTask();
        }
    }

    /// <summary>Waits until a queue this host may take from can have work.</summary>
    /// <param name="stopping">Ends the wait.</param>
    /// <param name="emptyQuickHints">How many waits in a row ended at once on a hint of work whose round found none.</param>
    /// <returns>True when the backend hinted at work at once (within <see cref="QuickHint"/>).</returns>
    private async Task<bool> WaitForWorkAsync(CancellationToken stopping, int emptyQuickHints)
    {
        var asked = _time.GetTimestamp();

        // Taken before the flags are looked at, so a change made after the look still wakes this wait.
        var pauseChanged = _paused.Changed;
        var pauseRead = _paused.Refreshed;

        // Announce the wait before looking at the queues' room, so a job that ends after the look still signals.
        _slots.AnnounceWait();
        var open = _selector.OpenQueueNames(out var allOpen, out var anyPaused);
        if (allOpen)
        {
            // Every queue may take a job: only new work can change anything.
            _slots.EndWait();
            try
            {
                await _backend.WaitForWorkAsync(open, stopping).ConfigureAwait(false);
                return _time.GetElapsedTime(asked) < QuickHint;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                JobsLog.ReceiveFailed(_logger, _backend.Name, ex);
                await DelayQuietlyAsync(TimeSpan.FromSeconds(1), stopping).ConfigureAwait(false);
            }

            return false;
        }

        // Some queue is at its own limit or paused: wake on new work in the others, when a job ends (which may open a
        // queue at its limit) or when a queue is resumed. A backend may hint at work in any queue, a paused one's too,
        // and so answer at once every time: after two such hints in a row that gave nothing, wait for the next read of
        // the pause flags instead of asking again. (One is allowed: Redis answers the first call of an idle spell at
        // once by design.)
        var askBackend = open.Count > 0 && !(anyPaused && emptyQuickHints >= 2);
        using var wake = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var work = askBackend ? _backend.WaitForWorkAsync(open, wake.Token).AsTask() : Task.Delay(Timeout.Infinite, wake.Token);
        var finished = _slots.WaitForJobEndAsync(wake.Token);
        var flags = !anyPaused ? Task.Delay(Timeout.Infinite, wake.Token)
            : askBackend ? pauseChanged.WaitAsync(wake.Token)
            : pauseRead.WaitAsync(wake.Token);
        var first = await Task.WhenAny(work, finished, flags).ConfigureAwait(false);
        _slots.EndWait();
        await wake.CancelAsync().ConfigureAwait(false);
        await work.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await finished.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await flags.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (first.IsFaulted && !stopping.IsCancellationRequested)
        {
            JobsLog.ReceiveFailed(_logger, _backend.Name, first.Exception!.GetBaseException());
            await DelayQuietlyAsync(TimeSpan.FromSeconds(1), stopping).ConfigureAwait(false);
            return false;
        }

        return askBackend && first == work && first.IsCompletedSuccessfully && _time.GetElapsedTime(asked) < QuickHint;
    }

    /// <summary>Starts its share of a batch (every step-th job from start), one job after another.</summary>
    private sealed class BatchRunner(JobWorker worker, IReadOnlyList<JobDelivery> batch, int start, int step, QueueSelector.QueueState queue) : IThreadPoolWorkItem
    {
        public void Execute()
        {
            for (var i = start; i < batch.Count; i += step)
            {
                var delivery = batch[i];
                worker._registry.TryGetHandler(delivery.Envelope.JobType, out var registration);
                worker.Run(delivery, queue, registration);
            }
        }
    }

    private async Task DelayQuietlyAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
