using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Strata.Jobs;

/// <summary>
/// The workers: one dispatch loop that fills free slots from the queues by weight, and one task per
/// running job. On shutdown it stops taking work, lets running jobs drain, then fires their tokens and
/// gives interrupted jobs back to the queue.
/// </summary>
internal sealed partial class JobWorker : IHostedService, IDisposable
{
    private const int MaxBatch = 64;

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
    private readonly SemaphoreSlim _slots;
    private readonly AsyncSignal _jobFinished = new();
    private readonly ConcurrentDictionary<JobDelivery, Task> _inFlight = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _jobsShutdown = new();
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
        _selector = new QueueSelector(_options.EffectiveQueues());
        _slots = new SemaphoreSlim(_options.Concurrency, _options.Concurrency);
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_options.RunWorkers)
        {
            return Task.CompletedTask;
        }

        Log.WorkersStarting(_logger, _backend.Name, _options.Concurrency, _selector.Count);
        var queues = _selector.Names;
        _background = Task.Run(() => RunBackgroundAsync(queues, _stopping.Token), CancellationToken.None);
        _dispatch = Task.Run(() => DispatchAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_dispatch is null)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _dispatch.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        var running = Task.WhenAll(_inFlight.Values);
        if (!running.IsCompleted)
        {
            Log.Draining(_logger, _inFlight.Count, _drainTimeout);
            try
            {
                await running.WaitAsync(_drainTimeout, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
            {
                Log.DrainTimedOut(_logger, _inFlight.Count);
            }
        }

        // Fire the running jobs' tokens; interrupted jobs are released back to their queue.
        await _jobsShutdown.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(_inFlight.Values).WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (_background is not null)
        {
            await _background.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    public void Dispose()
    {
        _stopping.Dispose();
        _jobsShutdown.Dispose();
        _slots.Dispose();
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
                Log.BackgroundFailed(_logger, _backend.Name, ex);
                await DelayQuietlyAsync(TimeSpan.FromSeconds(1), stopping).ConfigureAwait(false);
            }
        }
    }

    private async Task DispatchAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                await _slots.WaitAsync(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var free = 1;
            while (free < MaxBatch && _slots.Wait(0))
            {
                free++;
            }

            var started = 0;
            try
            {
                foreach (var queue in _selector.Order())
                {
                    var want = Math.Min(free - started, queue.Room);
                    if (want <= 0)
                    {
                        continue;
                    }

                    var batch = await _backend.ReceiveAsync(queue.Name, want, stopping).ConfigureAwait(false);
                    foreach (var delivery in batch)
                    {
                        Interlocked.Increment(ref queue.Running);
                        started++;
                        Start(delivery, queue);
                    }

                    if (started == free)
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
                Log.ReceiveFailed(_logger, _backend.Name, ex);
                ReleaseSlots(free - started);
                started = free;
                await DelayQuietlyAsync(TimeSpan.FromSeconds(1), stopping).ConfigureAwait(false);
                continue;
            }
            finally
            {
                ReleaseSlots(free - started);
            }

            if (started == 0)
            {
                await WaitForWorkAsync(stopping).ConfigureAwait(false);
            }
        }
    }

    private void ReleaseSlots(int count)
    {
        if (count > 0)
        {
            _slots.Release(count);
        }
    }

    private async Task WaitForWorkAsync(CancellationToken stopping)
    {
        using var wake = CancellationTokenSource.CreateLinkedTokenSource(stopping);
        var open = _selector.OpenQueueNames();
        var work = open.Count > 0 ? _backend.WaitForWorkAsync(open, wake.Token).AsTask() : Task.Delay(Timeout.Infinite, wake.Token);
        var finished = _jobFinished.WaitAsync(wake.Token);
        var first = await Task.WhenAny(work, finished).ConfigureAwait(false);
        await wake.CancelAsync().ConfigureAwait(false);
        await work.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await finished.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (first.IsFaulted && !stopping.IsCancellationRequested)
        {
            Log.ReceiveFailed(_logger, _backend.Name, first.Exception!.GetBaseException());
            await DelayQuietlyAsync(TimeSpan.FromSeconds(1), stopping).ConfigureAwait(false);
        }
    }

    private void Start(JobDelivery delivery, QueueSelector.QueueState queue)
    {
        var task = Task.Run(() => RunJobAsync(delivery, queue), CancellationToken.None);
        _inFlight[delivery] = task;
        _ = task.ContinueWith(
            _ => _inFlight.TryRemove(new KeyValuePair<JobDelivery, Task>(delivery, task)),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private async Task RunJobAsync(JobDelivery delivery, QueueSelector.QueueState queue)
    {
        try
        {
            await RunAttemptAsync(delivery).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // A backend call failed after the handler ran; with Redis the entry stays pending and is delivered again.
            Log.RecordFailed(_logger, delivery.Envelope.Id, _backend.Name, ex);
        }
        finally
        {
            Interlocked.Decrement(ref queue.Running);
            _slots.Release();
            _jobFinished.Set();
        }
    }

    private async Task RunAttemptAsync(JobDelivery delivery)
    {
        var envelope = delivery.Envelope;
        if (_stopping.IsCancellationRequested)
        {
            await _backend.ReleaseAsync(delivery, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        switch (await _backend.StartAsync(delivery, CancellationToken.None).ConfigureAwait(false))
        {
            case StartStatus.Skip:
                return;
            case StartStatus.TooManyDeliveries:
                Log.TooManyDeliveries(_logger, envelope.Id, delivery.DeliveryCount);
                await DeadLetterAsync(delivery, $"The job was delivered {delivery.DeliveryCount} times without finishing; the workers running it stopped (crashed or were killed).").ConfigureAwait(false);
                return;
        }

        _metrics.Started(envelope.Queue, envelope.JobType, _time.GetUtcNow() - envelope.EnqueuedAt);
        using var activity = StartActivity(envelope);

        if (!_registry.TryGetHandler(envelope.JobType, out var registration))
        {
            Log.NoHandler(_logger, envelope.Id, envelope.JobType);
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
            Log.BadPayload(_logger, envelope.Id, envelope.JobType, ex);
            activity?.SetStatus(ActivityStatusCode.Error, "bad payload");
            await DeadLetterAsync(delivery, $"The payload could not be read as job type '{envelope.JobType}'{where}.").ConfigureAwait(false);
            return;
        }

        using var jobSource = CancellationTokenSource.CreateLinkedTokenSource(_jobsShutdown.Token);
        using var registrationEntry = _running.Register(envelope.Id, jobSource);
        using var timeoutSource = envelope.Timeout is { } timeout ? new CancellationTokenSource(timeout, _time) : null;
        using var abandonSource = envelope.Timeout is { } limit ? new CancellationTokenSource(limit + _options.TimeoutGracePeriod, _time) : null;
        using var linked = timeoutSource is null
            ? CancellationTokenSource.CreateLinkedTokenSource(jobSource.Token)
            : CancellationTokenSource.CreateLinkedTokenSource(jobSource.Token, timeoutSource.Token);

        var context = new WorkerJobContext(envelope, linked.Token, _backend, delivery, _registry.SerializerOptions);
        var startedAt = _time.GetTimestamp();
        Exception? failure = null;
        try
        {
            var scope = _scopes.CreateAsyncScope();
            await using (scope.ConfigureAwait(false))
            {
                var handling = registration.InvokeAsync(scope.ServiceProvider, job, context);
                if (abandonSource is null)
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
                        Log.HandlerAbandoned(_logger, envelope.Id);
                        throw;
                    }
                }
            }
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        _metrics.Ran(envelope.Queue, envelope.JobType, _time.GetElapsedTime(startedAt));
        if (failure is null)
        {
            _metrics.Succeeded(envelope.Queue, envelope.JobType);
            await _backend.SucceedAsync(delivery, context.ResultJson, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        activity?.SetStatus(ActivityStatusCode.Error, failure.GetType().Name);
        if (failure is OperationCanceledException && registrationEntry.CancelRequested)
        {
            Log.Cancelled(_logger, envelope.Id);
            await _backend.CancelledAsync(delivery, CancellationToken.None).ConfigureAwait(false);
        }
        else if (failure is OperationCanceledException && _jobsShutdown.IsCancellationRequested && timeoutSource?.IsCancellationRequested != true)
        {
            Log.Interrupted(_logger, envelope.Id);
            await _backend.ReleaseAsync(delivery, CancellationToken.None).ConfigureAwait(false);
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
            Log.Retrying(_logger, envelope.Id, envelope.Attempt, envelope.MaxAttempts, delay, failure);
            _metrics.Retried(envelope.Queue, envelope.JobType);
            await _backend.RetryAsync(delivery, _time.GetUtcNow() + delay, summary, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        Log.Failed(_logger, envelope.Id, envelope.Attempt, failure);
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
                Log.DescribeFailed(_logger, ex);
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

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Job workers starting on the {Backend} backend: concurrency {Concurrency}, {QueueCount} queue(s).", EventName = "WorkersStarting")]
        public static partial void WorkersStarting(ILogger logger, string backend, int concurrency, int queueCount);

        [LoggerMessage(2, LogLevel.Information, "Waiting up to {DrainTimeout} for {Count} running job(s) to finish.", EventName = "Draining")]
        public static partial void Draining(ILogger logger, int count, TimeSpan drainTimeout);

        [LoggerMessage(3, LogLevel.Warning, "{Count} job(s) still running after the drain window; cancelling them and returning them to the queue.", EventName = "DrainTimedOut")]
        public static partial void DrainTimedOut(ILogger logger, int count);

        [LoggerMessage(4, LogLevel.Error, "Receiving jobs from the {Backend} backend failed; retrying.", EventName = "ReceiveFailed")]
        public static partial void ReceiveFailed(ILogger logger, string backend, Exception exception);

        [LoggerMessage(5, LogLevel.Error, "The {Backend} backend's background work failed; restarting it.", EventName = "BackgroundFailed")]
        public static partial void BackgroundFailed(ILogger logger, string backend, Exception exception);

        [LoggerMessage(6, LogLevel.Error, "Recording the outcome of job {JobId} in the {Backend} backend failed.", EventName = "RecordFailed")]
        public static partial void RecordFailed(ILogger logger, string jobId, string backend, Exception exception);

        [LoggerMessage(7, LogLevel.Error, "Job {JobId} has type '{JobType}', which has no handler on this host; dead-lettering it.", EventName = "NoHandler")]
        public static partial void NoHandler(ILogger logger, string jobId, string jobType);

        [LoggerMessage(8, LogLevel.Error, "Job {JobId}: the payload could not be read as '{JobType}'; dead-lettering it.", EventName = "BadPayload")]
        public static partial void BadPayload(ILogger logger, string jobId, string jobType, Exception exception);

        [LoggerMessage(9, LogLevel.Warning, "Job {JobId} attempt {Attempt} of {MaxAttempts} failed; retrying in {Delay}.", EventName = "Retrying")]
        public static partial void Retrying(ILogger logger, string jobId, int attempt, int maxAttempts, TimeSpan delay, Exception exception);

        [LoggerMessage(10, LogLevel.Error, "Job {JobId} failed on attempt {Attempt} and is dead-lettered.", EventName = "Failed")]
        public static partial void Failed(ILogger logger, string jobId, int attempt, Exception exception);

        [LoggerMessage(11, LogLevel.Information, "Job {JobId} was cancelled while running.", EventName = "Cancelled")]
        public static partial void Cancelled(ILogger logger, string jobId);

        [LoggerMessage(12, LogLevel.Information, "Job {JobId} was interrupted by shutdown and goes back to its queue.", EventName = "Interrupted")]
        public static partial void Interrupted(ILogger logger, string jobId);

        [LoggerMessage(13, LogLevel.Warning, "Job {JobId}'s handler did not stop after its timeout; it is abandoned and its slot reused.", EventName = "HandlerAbandoned")]
        public static partial void HandlerAbandoned(ILogger logger, string jobId);

        [LoggerMessage(14, LogLevel.Error, "Job {JobId} was delivered {Deliveries} times without finishing; dead-lettering it.", EventName = "TooManyDeliveries")]
        public static partial void TooManyDeliveries(ILogger logger, string jobId, int deliveries);

        [LoggerMessage(15, LogLevel.Error, "JobsOptions.DescribeError threw; using the default summary.", EventName = "DescribeFailed")]
        public static partial void DescribeFailed(ILogger logger, Exception exception);
    }
}
