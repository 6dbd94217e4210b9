using System.Diagnostics;
using Microsoft.Extensions.Options;
using Strata.Jobs.Backends;

namespace Strata.Jobs.Internal;

/// <summary>The producer side and the status reader: validates, serializes, traces, and hands envelopes to the backend.</summary>
internal sealed class JobQueue : IJobQueue, IJobStore
{
    private readonly IJobBackend _backend;
    private readonly JobTypeRegistry _registry;
    private readonly JobsMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly JobsOptions _options;
    private readonly HashSet<string> _queues;

    public JobQueue(IJobBackend backend, JobTypeRegistry registry, JobsMetrics metrics, TimeProvider time, IOptions<JobsOptions> options)
    {
        _backend = backend;
        _registry = registry;
        _metrics = metrics;
        _time = time;
        _options = options.Value;
        _queues = new(_options.GetEffectiveQueues().Select(q => q.Name), StringComparer.Ordinal);
    }

    public ValueTask<string> EnqueueAsync<TJob>(TJob job, JobOptions? options = null, CancellationToken cancellationToken = default)
    {
        // Most enqueues complete at once: no state machine of this method's own for them.
        var enqueue = EnqueueCoreAsync(job, options, waitForRoom: true, cancellationToken);
        return enqueue.IsCompletedSuccessfully ? ValueTask.FromResult(Enqueued(enqueue.Result)) : AwaitAsync(enqueue);

        static async ValueTask<string> AwaitAsync(ValueTask<string?> enqueue) => Enqueued(await enqueue.ConfigureAwait(false));

        static string Enqueued(string? jobId) => jobId ?? throw new InvalidOperationException("The queue is full and set to drop new jobs.");
    }

    public ValueTask<string?> TryEnqueueAsync<TJob>(TJob job, JobOptions? options = null, CancellationToken cancellationToken = default) =>
        EnqueueCoreAsync(job, options, waitForRoom: false, cancellationToken);

    public ValueTask<bool> CancelAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        return _backend.CancelAsync(jobId, cancellationToken);
    }

    public ValueTask<bool> RequeueAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        return _backend.RequeueAsync(jobId, cancellationToken);
    }

    public ValueTask<JobInfo?> GetAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        return _backend.GetAsync(jobId, cancellationToken);
    }

    public async ValueTask<JobInfo?> GetForOwnerAsync(string jobId, string? owner, CancellationToken cancellationToken = default)
    {
        var info = await GetAsync(jobId, cancellationToken).ConfigureAwait(false);
        return info is not null && string.Equals(info.Owner, owner, StringComparison.Ordinal) ? info : null;
    }

    /// <summary>Enqueues an already-serialized payload under a type name (used by tests to send what a newer or broken producer might).</summary>
    internal async ValueTask<string?> EnqueueRawAsync(string jobType, string payload, JobOptions? options, CancellationToken cancellationToken)
    {
        return await EnqueueSerializedAsync(jobType, payload, options, waitForRoom: true, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<string?> EnqueueCoreAsync<TJob>(TJob job, JobOptions? options, bool waitForRoom, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var registration = _registry.Get<TJob>();
        var payload = registration.Serialize(job, _registry.SerializerOptions);
        return await EnqueueSerializedAsync(registration.Name, payload, options, waitForRoom, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Enqueues a payload already serialized (also a recurring job's occurrence): the publish span and the enqueued metric are recorded here.</summary>
    private async ValueTask<string?> EnqueueSerializedAsync(string jobType, string payload, JobOptions? options, bool waitForRoom, CancellationToken cancellationToken)
    {
        // The span's name is built only when someone listens.
        using var activity = JobsMetrics.ActivitySource.HasListeners() ? JobsMetrics.ActivitySource.StartActivity($"{jobType} publish", ActivityKind.Producer) : null;
        var envelope = CreateEnvelope(jobType, payload, options, out var runAt);
        activity?.SetTag("messaging.system", "strata.jobs");
        activity?.SetTag("messaging.operation.type", "send");
        activity?.SetTag("messaging.destination.name", envelope.Queue);
        activity?.SetTag("messaging.message.id", envelope.Id);

        var result = await _backend.EnqueueAsync(envelope, runAt, waitForRoom, cancellationToken).ConfigureAwait(false);
        switch (result.Status)
        {
            case EnqueueStatus.Enqueued:
                _metrics.Enqueued(envelope.Queue, envelope.JobType);
                return result.JobId;
            case EnqueueStatus.Duplicate:
                activity?.SetTag("messaging.message.id", result.JobId);
                activity?.SetTag("strata.jobs.duplicate", true);
                return result.JobId;
            default:
                return null;
        }
    }

    private JobEnvelope CreateEnvelope(string jobType, string payload, JobOptions? options, out DateTimeOffset? runAt)
    {
        var queue = options?.Queue ?? _options.DefaultQueue;
        if (!_queues.Contains(queue))
        {
            throw new ArgumentException($"Queue '{queue}' is not configured; add it with options.AddQueue(\"{queue}\") in AddStrataJobs.", nameof(options));
        }

        var maxAttempts = options?.MaxAttempts ?? _options.MaxAttempts;
        if (maxAttempts < 1)
        {
            throw new ArgumentException($"JobOptions.MaxAttempts must be at least 1 (is {maxAttempts}).", nameof(options));
        }

        var timeout = options?.Timeout ?? _options.DefaultTimeout;
        if (timeout is { } t && t <= TimeSpan.Zero)
        {
            throw new ArgumentException("JobOptions.Timeout must be positive.", nameof(options));
        }

        if (options?.Delay is { } delay && delay < TimeSpan.Zero)
        {
            throw new ArgumentException("JobOptions.Delay must not be negative.", nameof(options));
        }

        if (options?.IdempotencyKey is { Length: 0 or > 256 })
        {
            throw new ArgumentException("JobOptions.IdempotencyKey must be 1 to 256 characters.", nameof(options));
        }

        if (options?.LimitKey is { } limitKey && !_options.RateLimits.ContainsKey(limitKey))
        {
            var configured = _options.RateLimits.Count == 0 ? "none is configured" : "configured: " + string.Join(", ", _options.RateLimits.Keys.Select(k => $"'{k}'"));
            throw new ArgumentException($"JobOptions.LimitKey '{limitKey}' names no rate limit in JobsOptions.RateLimits ({configured}); add it with options.RateLimits[\"{limitKey}\"] = new(permits, window) in AddStrataJobs.", nameof(options));
        }

        var now = _time.GetUtcNow();
        runAt = options?.RunAt ?? (options?.Delay is { } d ? now + d : null);
        if (runAt <= now)
        {
            runAt = null;
        }

        var current = Activity.Current;
        return new JobEnvelope
        {
            Id = _backend.CreateJobId(queue),
            JobType = jobType,
            Queue = queue,
            Payload = payload,
            Attempt = 1,
            MaxAttempts = maxAttempts,
            Timeout = timeout,
            Owner = options?.Owner,
            CreatedAt = now,
            EnqueuedAt = runAt ?? now,
            IdempotencyKey = options?.IdempotencyKey,
            LimitKey = options?.LimitKey,
            TraceParent = current is { IdFormat: ActivityIdFormat.W3C } ? current.Id : null,
            TraceState = current?.TraceStateString,
        };
    }
}
