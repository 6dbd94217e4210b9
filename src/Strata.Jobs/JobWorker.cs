using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Strata.Jobs.Backends;
using Strata.Threading;

namespace Strata.Jobs;

/// <summary>
/// The workers: one dispatch loop that fills free slots from the queues by weight, in batches, and hands each
/// batch to a few thread-pool work items that start its jobs one after another. A handler that completes
/// synchronously costs no task, timer or cancellation source of its own; one that awaits goes on by itself and
/// frees its slot when it ends. On shutdown the loop stops taking work; jobs received but not yet started go back
/// to their queue, running jobs may drain, then their tokens fire and interrupted jobs go back too.
/// </summary>
internal sealed partial class JobWorker : IHostedService, IDisposable
{
    private const int MaxBatch = 256;

    private readonly IJobBackend _backend;
    private readonly JobTypeRegistry _registry;
    private readonly RunningJobs _running;
    private readonly IServiceScopeFactory _scopes;
    private readonly JobsMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly JobsOptions _options;
    private readonly TimeSpan _drainTimeout;
    private readonly QueueSelector _selector;
    private readonly int _runners = Math.Max(1, Environment.ProcessorCount);
    private readonly AsyncSignal _jobFinished = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _queuesEmptied = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _emptyingQueues;
    private TaskCompletionSource? _stopped;
    private int _disposed;
    private readonly CancellationTokenSource _jobsShutdown = new();
    private int _free;
    private int _inFlight;
    private int _recording;
    private int _dispatcherWaiting;
    private Task? _dispatch;
    private Task? _background;

    public JobWorker(
        IJobBackend backend,
        JobTypeRegistry registry,
        RunningJobs running,
        IServiceScopeFactory scopes,
        JobsMetrics metrics,
        TimeProvider time,
        IOptions<JobsOptions> options,
        IOptions<HostOptions> hostOptions,
        ILogger<JobWorker> logger)
    {
        _backend = backend;
        _registry = registry;
        _running = running;
        _scopes = scopes;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _options = options.Value;
        _drainTimeout = _options.ShutdownDrainTimeout ?? hostOptions.Value.ShutdownTimeout * 0.8;
        _selector = new QueueSelector(_options.GetEffectiveQueues());
        _free = _options.Concurrency;
    }

    /// <summary>Jobs received from the backend whose attempt has not ended (running, or waiting in a batch to start).</summary>
    internal int InFlight => Volatile.Read(ref _inFlight);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_options.RunWorkers)
        {
            JobsLog.NoWorkers(_logger, _backend.Description);
            return Task.CompletedTask;
        }

        JobsLog.WorkersStarting(_logger, _backend.Description, _options.Concurrency, _selector.Count);
        var queues = _selector.Names;
        _background = Task.Run(() => RunBackgroundAsync(queues, _stopping.Token), CancellationToken.None);
        _dispatch = Task.Run(() => DispatchAsync(_stopping.Token), CancellationToken.None);
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

    private async Task StopOnceAsync(TaskCompletionSource stopped, CancellationToken cancellationToken)
    {
        try
        {
            await DrainAndStopAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            stopped.TrySetResult();
        }
    }

    private async Task DrainAndStopAsync(CancellationToken cancellationToken)
    {
        var drainStarted = _time.GetTimestamp();
        if (_backend.JobsLiveInProcess)
        {
            await EmptyQueuesAsync(cancellationToken).ConfigureAwait(false);
        }

        // Stop taking work. A job the dispatch loop runs inline counts as in flight, so the drain covers it too.
        await _stopping.CancelAsync().ConfigureAwait(false);
        var ended = EndedAsync();
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
                await ended.WaitAsync(_options.TimeoutGracePeriod, _time, CancellationToken.None).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                JobsLog.HandBackTimedOut(_logger, Volatile.Read(ref _inFlight), _options.TimeoutGracePeriod);
            }
        }

        if (_background is not null)
        {
            await _background.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        if (_backend.JobsLiveInProcess && _backend.CountWaitingJobs() is var lost and > 0)
        {
            JobsLog.JobsLost(_logger, lost, _backend.Name);
        }
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
        long queued = 0;
        foreach (var name in _selector.Names)
        {
            queued += _backend.GetDepth(name);
        }

        return queued;
    }

    /// <summary>While the queues are being emptied on shutdown: signals once nothing is left queued.</summary>
    private void CheckQueuesEmptied()
    {
        if (Volatile.Read(ref _emptyingQueues) == 1 && !_queuesEmptied.Task.IsCompleted && QueuedJobs() == 0)
        {
            _queuesEmptied.TrySetResult();
        }
    }

    /// <summary>Completes when the dispatch loop has returned and no received job is left in flight.</summary>
    private async Task EndedAsync()
    {
        await _dispatch!.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (Volatile.Read(ref _inFlight) == 0)
        {
            _drained.TrySetResult();
        }

        await _drained.Task.ConfigureAwait(false);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping.Dispose();
        _jobsShutdown.Dispose();
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
        while (!stopping.IsCancellationRequested)
        {
            var free = Volatile.Read(ref _free);
            if (free == 0)
            {
                if (!await WaitForSlotAsync(stopping).ConfigureAwait(false))
                {
                    return;
                }

                continue;
            }

            // Only this loop takes slots; runners only give them back, so the count cannot drop below what was read.
            var take = Math.Min(free, MaxBatch);
            Interlocked.Add(ref _free, -take);
            var started = 0;
            try
            {
                var order = _selector.Order();
                for (var q = 0; q < order.Length; q++)
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
                        Interlocked.Add(ref _inFlight, batch.Count);
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
                Interlocked.Add(ref _free, take - started);
                started = take;
                await DelayQuietlyAsync(TimeSpan.FromSeconds(1), stopping).ConfigureAwait(false);
                continue;
            }
            finally
            {
                if (started < take)
                {
                    Interlocked.Add(ref _free, take - started);
                }
            }

            CheckQueuesEmptied();
            if (started == 0)
            {
                await WaitForWorkAsync(stopping).ConfigureAwait(false);
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

        // A job that awaits goes on by itself; it ends (and frees its slot) in RunJobAsync, which never throws.
        var running = RunJobAsync(delivery, queue, registration);
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

    /// <summary>Waits until a running job ends; false when stopping.</summary>
    private async ValueTask<bool> WaitForSlotAsync(CancellationToken stopping)
    {
        Interlocked.Exchange(ref _dispatcherWaiting, 1);
        try
        {
            if (Volatile.Read(ref _free) == 0)
            {
                await _jobFinished.WaitAsync(stopping).ConfigureAwait(false);
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        finally
        {
            Interlocked.Exchange(ref _dispatcherWaiting, 0);
        }
    }

    private async Task WaitForWorkAsync(CancellationToken stopping)
    {
        // Announce the wait before looking at the queues' room, so a job that ends after the look still signals.
        Interlocked.Exchange(ref _dispatcherWaiting, 1);
        var open = _selector.OpenQueueNames(out var allOpen);
        if (allOpen)
        {
            // Every queue may take a job: only new work can change anything.
            Interlocked.Exchange(ref _dispatcherWaiting, 0);
            try
            {
                await _backend.WaitForWorkAsync(open, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                JobsLog.ReceiveFailed(_logger, _backend.Name, ex);
                await DelayQuietlyAsync(TimeSpan.FromSeconds(1), stopping).ConfigureAwait(false);
            }

            return;
        }

        // Some queue is at its own limit: wake on new work in the others, or when a job ends (which may open it).
        using var wake = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var work = open.Count > 0 ? _backend.WaitForWorkAsync(open, wake.Token).AsTask() : Task.Delay(Timeout.Infinite, wake.Token);
        var finished = _jobFinished.WaitAsync(wake.Token);
        var first = await Task.WhenAny(work, finished).ConfigureAwait(false);
        Interlocked.Exchange(ref _dispatcherWaiting, 0);
        await wake.CancelAsync().ConfigureAwait(false);
        await work.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await finished.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (first.IsFaulted && !stopping.IsCancellationRequested)
        {
            JobsLog.ReceiveFailed(_logger, _backend.Name, first.Exception!.GetBaseException());
            await DelayQuietlyAsync(TimeSpan.FromSeconds(1), stopping).ConfigureAwait(false);
        }
    }

    private async ValueTask RunJobAsync(JobDelivery delivery, QueueSelector.QueueState queue, JobTypeRegistration? registration)
    {
        try
        {
            await RunAttemptAsync(delivery, queue, registration).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // A backend call failed after the handler ran; with Redis the entry stays pending and is delivered again.
            JobsLog.RecordFailed(_logger, delivery.Envelope.Id, _backend.Name, ex);
        }
        finally
        {
            JobEnded(delivery, queue);
        }
    }

    private void JobEnded(JobDelivery delivery, QueueSelector.QueueState queue)
    {
        if (delivery.SlotReleased)
        {
            Interlocked.Decrement(ref _recording);
        }
        else
        {
            ReleaseSlot(delivery, queue);
        }

        if (Interlocked.Decrement(ref _inFlight) == 0 && _stopping.IsCancellationRequested)
        {
            _drained.TrySetResult();
        }

        CheckQueuesEmptied();
    }

    /// <summary>Gives the job's slot back (its handler no longer runs) and wakes the dispatch loop if it waits for one.</summary>
    private void ReleaseSlot(JobDelivery delivery, QueueSelector.QueueState queue)
    {
        delivery.SlotReleased = true;
        Interlocked.Decrement(ref queue.Running);
        Interlocked.Increment(ref _free);
        if (Volatile.Read(ref _dispatcherWaiting) == 1)
        {
            _jobFinished.Set();
        }
    }

    /// <param name="delivery">The job.</param>
    /// <param name="queue">Its queue's state.</param>
    /// <param name="registration">The handler's registration as the dispatch loop looked it up (null: no handler).</param>
    private async ValueTask RunAttemptAsync(JobDelivery delivery, QueueSelector.QueueState queue, JobTypeRegistration? registration)
    {
        var envelope = delivery.Envelope;
        if (_jobsShutdown.IsCancellationRequested || (_stopping.IsCancellationRequested && !_backend.JobsLiveInProcess))
        {
            // Received but not started before shutdown began: back to the queue, untouched, for another worker. In memory
            // there is no other worker: such a job still runs while the drain window lasts.
            await _backend.ReleaseAsync(delivery, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        switch (await _backend.StartAsync(delivery, CancellationToken.None).ConfigureAwait(false))
        {
            case StartStatus.Skip:
                return;
            case StartStatus.TooManyDeliveries:
                JobsLog.TooManyDeliveries(_logger, envelope.Id, delivery.DeliveryCount);
                await DeadLetterAsync(delivery, $"The job was delivered {delivery.DeliveryCount} times without finishing; the workers running it stopped (crashed or were killed).").ConfigureAwait(false);
                return;
        }

        _metrics.Started(envelope.Queue, envelope.JobType, envelope.EnqueuedAt, _time);
        using var activity = JobsMetrics.ActivitySource.HasListeners() ? StartActivity(envelope) : null;

        if (registration is null)
        {
            JobsLog.NoHandler(_logger, envelope.Id, envelope.JobType);
            activity?.SetStatus(ActivityStatusCode.Error, "no handler");
            await DeadLetterAsync(delivery, $"No handler is registered for job type '{envelope.JobType}'.").ConfigureAwait(false);
            return;
        }

        object job;
        try
        {
            job = registration.Deserialize(envelope.Payload, _registry.SerializerOptions);
        }
        catch (Exception ex) when (ex is JsonException or NotSupportedException or InvalidOperationException)
        {
            var where = ex is JsonException { Path: { } path } ? $" at {path}" : string.Empty;
            JobsLog.BadPayload(_logger, envelope.Id, envelope.JobType, ex);
            activity?.SetStatus(ActivityStatusCode.Error, "bad payload");
            await DeadLetterAsync(delivery, $"The payload could not be read as job type '{envelope.JobType}'{where}.").ConfigureAwait(false);
            return;
        }

        // Timers only for jobs that have a timeout.
        using var timeoutSource = envelope.Timeout is { } timeout ? new CancellationTokenSource(timeout, _time) : null;
        using var abandonSource = envelope.Timeout is { } limit ? new CancellationTokenSource(limit + _options.TimeoutGracePeriod, _time) : null;
        using var context = new WorkerJobContext(delivery, _backend, _registry.SerializerOptions, _jobsShutdown.Token, timeoutSource?.Token ?? default);
        _running.Register(context);
        var startedAt = _metrics.RunTimeEnabled ? _time.GetTimestamp() : 0;
        Exception? failure = null;
        try
        {
            // The scope is disposed through IAsyncDisposable when it offers it (no AsyncServiceScope struct boxed per job).
            var scope = _scopes.CreateScope();
            try
            {
                var handling = registration.InvokeAsync(scope.ServiceProvider, job, context);
                if (abandonSource is null || handling.IsCompleted)
                {
                    await handling.ConfigureAwait(false);
                }
                else
                {
                    try
                    {
                        await handling.WaitAsync(abandonSource.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!handling.IsCompleted)
                    {
                        // The handler ignores its token: give up waiting; observe its eventual fault.
                        _ = handling.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
                        JobsLog.HandlerAbandoned(_logger, envelope.Id);
                        throw;
                    }
                }
            }
            finally
            {
                if (scope is IAsyncDisposable asyncScope)
                {
                    await asyncScope.DisposeAsync().ConfigureAwait(false);
                }
                else
                {
                    scope.Dispose();
                }
            }
        }
        catch (Exception ex)
        {
            failure = ex;
        }
        finally
        {
            _running.Unregister(context);
        }

        if (startedAt != 0)
        {
            _metrics.Ran(envelope.Queue, envelope.JobType, _time.GetElapsedTime(startedAt));
        }

        if (failure is null)
        {
            var recording = _backend.SucceedAsync(delivery, context.ResultJson, CancellationToken.None);
            if (!recording.IsCompleted)
            {
                // The handler is done; only the success is on its way to the store (Redis batches it with others).
                // Concurrency limits running handlers, so the slot goes back now and the dispatch loop can read the
                // next jobs during the round trip. At most Concurrency jobs wait like this; beyond that a job keeps
                // its slot until recorded. A drain still waits for them (they stay in flight).
                if (Interlocked.Increment(ref _recording) <= _options.Concurrency)
                {
                    ReleaseSlot(delivery, queue);
                }
                else
                {
                    Interlocked.Decrement(ref _recording);
                }
            }

            await recording.ConfigureAwait(false);

            // Counted once the store says Succeeded, so a listener that sees N succeeded can read N succeeded jobs.
            _metrics.Succeeded(envelope.Queue, envelope.JobType);
            return;
        }

        activity?.SetStatus(ActivityStatusCode.Error, failure.GetType().Name);
        if (failure is OperationCanceledException && context.CancelRequested)
        {
            JobsLog.Cancelled(_logger, envelope.Id);
            await _backend.CancelledAsync(delivery, CancellationToken.None).ConfigureAwait(false);
        }
        else if (failure is OperationCanceledException && _jobsShutdown.IsCancellationRequested && timeoutSource?.IsCancellationRequested != true)
        {
            try
            {
                await _backend.ReleaseAsync(delivery, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                JobsLog.HandBackFailed(_logger, envelope.Id, _backend.Name, ex);
                return;
            }

            JobsLog.Interrupted(_logger, envelope.Id);
        }
        else if (timeoutSource?.IsCancellationRequested == true && failure is OperationCanceledException or TimeoutException)
        {
            await FailAsync(delivery, failure, $"The attempt timed out after {envelope.Timeout}.").ConfigureAwait(false);
        }
        else
        {
            await FailAsync(delivery, failure, Describe(failure)).ConfigureAwait(false);
        }
    }

    private async Task FailAsync(JobDelivery delivery, Exception failure, string summary)
    {
        var envelope = delivery.Envelope;
        _metrics.Failed(envelope.Queue, envelope.JobType);
        var retryable = failure is not JobFailedException { Retryable: false } && (_options.RetryOn?.Invoke(failure) ?? true);
        if (retryable && envelope.Attempt < envelope.MaxAttempts)
        {
            var delay = RetryDelay(envelope.Attempt);
            JobsLog.Retrying(_logger, envelope.Id, envelope.Attempt, envelope.MaxAttempts, delay, failure);
            _metrics.Retried(envelope.Queue, envelope.JobType);
            await _backend.RetryAsync(delivery, _time.GetUtcNow() + delay, summary, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        JobsLog.Failed(_logger, envelope.Id, envelope.Attempt, failure);
        await DeadLetterAsync(delivery, summary).ConfigureAwait(false);
    }

    private async Task DeadLetterAsync(JobDelivery delivery, string summary)
    {
        _metrics.DeadLettered(delivery.Envelope.Queue, delivery.Envelope.JobType);
        await _backend.DeadLetterAsync(delivery, summary, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Exponential backoff with jitter: base × 2^(attempt−1), capped, then spread by ±jitter.</summary>
    internal TimeSpan RetryDelay(int failedAttempt)
    {
        var nominal = _options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failedAttempt - 1, 30));
        var capped = Math.Min(nominal, _options.RetryMaxDelay.TotalMilliseconds);
        var spread = 1 - _options.RetryJitter + (2 * _options.RetryJitter * Random.Shared.NextDouble());
        return TimeSpan.FromMilliseconds(Math.Min(capped * spread, _options.RetryMaxDelay.TotalMilliseconds));
    }

    private string Describe(Exception failure)
    {
        if (_options.DescribeError is { } describe)
        {
            try
            {
                return describe(failure);
            }
            catch (Exception ex)
            {
                JobsLog.DescribeFailed(_logger, ex);
            }
        }

        return failure is JobFailedException ? failure.Message : $"The handler failed with {failure.GetType().Name}.";
    }

    private static Activity? StartActivity(JobEnvelope envelope)
    {
        var parent = default(ActivityContext);
        if (envelope.TraceParent is { } traceParent)
        {
            ActivityContext.TryParse(traceParent, envelope.TraceState, isRemote: true, out parent);
        }

        var activity = JobsMetrics.ActivitySource.StartActivity($"{envelope.JobType} process", ActivityKind.Consumer, parent);
        if (activity is not null)
        {
            activity.SetTag("messaging.system", "strata.jobs");
            activity.SetTag("messaging.operation.type", "process");
            activity.SetTag("messaging.destination.name", envelope.Queue);
            activity.SetTag("messaging.message.id", envelope.Id);
            activity.SetTag("strata.jobs.attempt", envelope.Attempt);
        }

        return activity;
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
