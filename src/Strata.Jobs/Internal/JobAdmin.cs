using Microsoft.Extensions.Options;
using Strata.Jobs.Backends;

namespace Strata.Jobs.Internal;

/// <summary>
/// <see cref="IJobAdmin"/>: checks every argument against the configured queues and the contract's rules, so the
/// backend gets only calls it need not check again (see <see cref="IJobBackend"/>), then forwards them.
/// </summary>
internal sealed class JobAdmin : IJobAdmin
{
    /// <summary>The most jobs on one page of a search.</summary>
    public const int MaxPageSize = 1000;

    private static readonly JobState[] States = Enum.GetValues<JobState>();
    private static readonly JobFilter Everything = new();

    private readonly IJobBackend _backend;
    private readonly string[] _queues;
    private readonly HashSet<string> _known;

    public JobAdmin(IJobBackend backend, IOptions<JobsOptions> options)
    {
        _backend = backend;
        _queues = [.. options.Value.GetEffectiveQueues().Select(q => q.Name)];
        _known = new HashSet<string>(_queues, StringComparer.Ordinal);
    }

    public async ValueTask<JobDetails?> GetDetailsAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(jobId);
        if (await _backend.GetAsync(jobId, cancellationToken).ConfigureAwait(false) is not { } job)
        {
            return null;
        }

        var enqueued = await _backend.GetEnvelopeAsync(jobId, cancellationToken).ConfigureAwait(false);
        return new JobDetails
        {
            Job = job,
            Payload = enqueued?.Payload,
            TraceParent = enqueued?.TraceParent,
            IdempotencyKey = enqueued?.IdempotencyKey,
            LimitKey = enqueued?.LimitKey,
            Timeout = enqueued?.Timeout,
        };
    }

    public ValueTask<JobPage> SearchAsync(JobFilter? filter = null, string? cursor = null, int limit = 50, CancellationToken cancellationToken = default)
    {
        filter ??= Everything;
        CheckFilter(filter, nameof(filter));
        if (limit is < 1 or > MaxPageSize)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, $"The page size (limit) must be 1 to {MaxPageSize}.");
        }

        if (cursor is { Length: 0 })
        {
            throw new ArgumentException("The cursor is empty: pass null for the first page, else the NextCursor of the page before.", nameof(cursor));
        }

        return _backend.SearchAsync(filter, cursor, limit, cancellationToken);
    }

    public async ValueTask<IReadOnlyList<JobStateCount>> CountAsync(CancellationToken cancellationToken = default)
    {
        var counts = await CountByQueueAsync(cancellationToken).ConfigureAwait(false);
        var result = new List<JobStateCount>(_queues.Length * States.Length);
        foreach (var queue in _queues)
        {
            var perState = counts[queue];
            foreach (var state in States)
            {
                result.Add(new JobStateCount(queue, state, perState[state]));
            }
        }

        return result;
    }

    public ValueTask<long> RequeueManyAsync(JobFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        CheckFilter(filter, nameof(filter));
        if (filter.State is { } state && state != JobState.Dead)
        {
            throw new ArgumentException(
                $"Only dead jobs can be requeued, but the filter's state is {state}: set State to {JobState.Dead} or leave it null (dead jobs are then chosen).",
                nameof(filter));
        }

        return _backend.RequeueManyAsync(filter, cancellationToken);
    }

    public ValueTask<bool> DeleteAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        return _backend.DeleteAsync(jobId, cancellationToken);
    }

    public ValueTask<long> DeleteManyAsync(JobFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        CheckFilter(filter, nameof(filter));
        if (filter.State is { } state && !IsFinished(state))
        {
            throw new ArgumentException(
                $"Only finished jobs can be deleted, but the filter's state is {state}: set State to {JobState.Succeeded}, {JobState.Dead} or {JobState.Cancelled}, or leave it null (finished jobs are then chosen).",
                nameof(filter));
        }

        return _backend.DeleteManyAsync(filter, cancellationToken);
    }

    public ValueTask PauseQueueAsync(string queue, CancellationToken cancellationToken = default)
    {
        CheckQueue(queue, nameof(queue));
        return _backend.SetQueuePausedAsync(queue, paused: true, cancellationToken);
    }

    public ValueTask ResumeQueueAsync(string queue, CancellationToken cancellationToken = default)
    {
        CheckQueue(queue, nameof(queue));
        return _backend.SetQueuePausedAsync(queue, paused: false, cancellationToken);
    }

    public async ValueTask<IReadOnlyList<JobQueueStatus>> GetQueuesAsync(CancellationToken cancellationToken = default)
    {
        var paused = await _backend.GetPausedQueuesAsync(cancellationToken).ConfigureAwait(false);
        var counts = await CountByQueueAsync(cancellationToken).ConfigureAwait(false);
        var result = new JobQueueStatus[_queues.Length];
        for (var i = 0; i < _queues.Length; i++)
        {
            var queue = _queues[i];
            var oldest = await _backend.GetOldestQueuedAsync(queue, cancellationToken).ConfigureAwait(false);
            result[i] = new JobQueueStatus(queue, paused.Contains(queue, StringComparer.Ordinal), counts[queue], oldest);
        }

        return result;
    }

    /// <summary>A message naming the configured queues, for errors about a queue that is not one of them.</summary>
    private string DescribeUnknownQueue(string queue) =>
        $"Queue '{queue}' is not configured; the configured queues are: {string.Join(", ", _queues)}.";

    private static bool IsFinished(JobState state) => state is JobState.Succeeded or JobState.Dead or JobState.Cancelled;

    /// <summary>The backend's counts for every configured queue and every state, zeros filled in; counts of other queues left out.</summary>
    private async ValueTask<Dictionary<string, Dictionary<JobState, long>>> CountByQueueAsync(CancellationToken cancellationToken)
    {
        var stored = await _backend.CountAsync(cancellationToken).ConfigureAwait(false);
        var counts = new Dictionary<string, Dictionary<JobState, long>>(_queues.Length, StringComparer.Ordinal);
        foreach (var queue in _queues)
        {
            var perState = new Dictionary<JobState, long>(States.Length);
            foreach (var state in States)
            {
                perState[state] = 0;
            }

            counts[queue] = perState;
        }

        foreach (var count in stored)
        {
            if (counts.TryGetValue(count.Queue, out var perState) && perState.ContainsKey(count.State))
            {
                perState[count.State] += count.Count;
            }
        }

        return counts;
    }

    private void CheckFilter(JobFilter filter, string paramName)
    {
        if (filter.Queue is { } queue && !_known.Contains(queue))
        {
            throw new ArgumentException(DescribeUnknownQueue(queue), paramName);
        }

        if (filter.State is { } state && !Enum.IsDefined(state))
        {
            throw new ArgumentException($"The filter's state {(int)state} is not a JobState.", paramName);
        }

        if (filter.CreatedAfter is { } after && filter.CreatedBefore is { } before && after > before)
        {
            throw new ArgumentException(
                $"The filter's CreatedAfter ({after:O}) is later than its CreatedBefore ({before:O}): no job can match; swap them.",
                paramName);
        }
    }

    private void CheckQueue(string queue, string paramName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(queue, paramName);
        if (!_known.Contains(queue))
        {
            throw new ArgumentException(DescribeUnknownQueue(queue), paramName);
        }
    }
}
