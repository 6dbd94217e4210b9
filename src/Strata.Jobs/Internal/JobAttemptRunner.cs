using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Strata.Jobs.Backends;

namespace Strata.Jobs.Internal;

/// <summary>
/// One attempt of a received job: check its fleet-wide limits (<see cref="FleetLimits"/>; a job held back is deferred,
/// spending no attempt), start it in the backend, read its payload, run its handler in a scope of its own
/// with its timeout, and record the outcome (success, retry, dead letter, cancellation, or hand-back when shutdown
/// interrupted it), with its metrics, logs and trace.
/// </summary>
internal sealed class JobAttemptRunner
{
    private readonly IJobBackend _backend;
    private readonly JobTypeRegistry _registry;
    private readonly RunningJobs _running;
    private readonly IServiceScopeFactory _scopes;
    private readonly JobsMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _gracePeriod;
    private readonly RetryPolicy _retry;
    private readonly WorkerSlots _slots;
    private readonly ShutdownDrain _drain;
    private readonly FleetLimits _limits;

    public JobAttemptRunner(
        IJobBackend backend,
        JobTypeRegistry registry,
        RunningJobs running,
        IServiceScopeFactory scopes,
        JobsMetrics metrics,
        TimeProvider time,
        ILogger logger,
        TimeSpan gracePeriod,
        RetryPolicy retry,
        WorkerSlots slots,
        ShutdownDrain drain,
        FleetLimits limits)
    {
        _backend = backend;
        _registry = registry;
        _running = running;
        _scopes = scopes;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _gracePeriod = gracePeriod;
        _retry = retry;
        _slots = slots;
        _drain = drain;
        _limits = limits;
    }

    /// <summary>Runs one attempt of a received job and ends it (its slot goes back); never throws.</summary>
    public async ValueTask RunAsync(JobDelivery delivery, QueueSelector.QueueState queue, JobTypeRegistration? registration)
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
            if (_limits.HoldsSlots)
            {
                // Whatever the outcome; before the local slot goes back, so the next job of the queue finds it free.
                await _limits.ReleaseAsync(delivery.Envelope.Id).ConfigureAwait(false);
            }

            _slots.JobEnded(delivery, queue);
            _drain.Ended();
        }
    }

    /// <param name="delivery">The job.</param>
    /// <param name="queue">Its queue's state.</param>
    /// <param name="registration">The handler's registration as the dispatch loop looked it up (null: no handler).</param>
    private async ValueTask RunAttemptAsync(JobDelivery delivery, QueueSelector.QueueState queue, JobTypeRegistration? registration)
    {
        var envelope = delivery.Envelope;
        if (_drain.JobsShuttingDown || (_drain.IsStopping && !_backend.JobsLiveInProcess))
        {
            // Received but not started before shutdown began: back to the queue, untouched, for another worker. In memory
            // there is no other worker: such a job still runs while the drain window lasts.
            await _backend.ReleaseAsync(delivery, CancellationToken.None).ConfigureAwait(false);
            return;
        }

        if (_limits.AppliesTo(envelope) && !await AdmitAsync(delivery).ConfigureAwait(false))
        {
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
        using var abandonSource = envelope.Timeout is { } limit ? new CancellationTokenSource(limit + _gracePeriod, _time) : null;
        using var context = new WorkerJobContext(delivery, _backend, _registry.SerializerOptions, _drain.JobsShutdown, timeoutSource?.Token ?? default);
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
                _slots.ReleaseWhileRecording(delivery, queue);
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
        else if (failure is OperationCanceledException && _drain.JobsShuttingDown && timeoutSource?.IsCancellationRequested != true)
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
            await FailAsync(delivery, failure, _retry.Describe(failure)).ConfigureAwait(false);
        }
    }

    /// <summary>Takes the job's fleet-wide slot and permits; when a limit holds it back, defers it (no attempt spent) and answers false.</summary>
    private async ValueTask<bool> AdmitAsync(JobDelivery delivery)
    {
        var admission = await _limits.AdmitAsync(delivery.Envelope).ConfigureAwait(false);
        if (admission.Admitted)
        {
            return true;
        }

        if (admission.Reason is { } reason)
        {
            _metrics.Deferred(delivery.Envelope.Queue, reason);
        }

        await _backend.DeferAsync(delivery, _time.GetUtcNow() + admission.Wait, CancellationToken.None).ConfigureAwait(false);
        return false;
    }

    private async Task FailAsync(JobDelivery delivery, Exception failure, string summary)
    {
        var envelope = delivery.Envelope;
        _metrics.Failed(envelope.Queue, envelope.JobType);
        if (_retry.ShouldRetry(failure, envelope))
        {
            var delay = _retry.Delay(envelope.Attempt);
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
}
