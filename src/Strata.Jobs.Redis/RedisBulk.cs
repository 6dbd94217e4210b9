namespace Strata.Jobs.Redis;

/// <summary>
/// Requeues and forgets jobs in bulk: per queue and per state that qualifies, scan.lua walks that state's index and
/// acts on up to <see cref="Batch"/> matching jobs per call, atomically per call. A job acted on no longer matches
/// (it left the state, or is gone), so a repeat, or a call cut short, only finishes the work.
/// </summary>
internal sealed class RedisBulk(RedisBackendContext context, RedisSearch search)
{
    public const int Batch = 500;

    private static readonly JobState[] Requeueable = [JobState.Dead];
    private static readonly JobState[] Finished = [JobState.Succeeded, JobState.Dead, JobState.Cancelled];

    private readonly RedisBackendContext _context = context;
    private readonly RedisSearch _search = search;

    public ValueTask<long> RequeueManyAsync(JobFilter filter, CancellationToken cancellationToken) =>
        RunAsync("requeue", filter, Requeueable, cancellationToken);

    public ValueTask<long> DeleteManyAsync(JobFilter filter, CancellationToken cancellationToken) =>
        RunAsync("delete", filter, Finished, cancellationToken);

    public async ValueTask<bool> DeleteAsync(string jobId)
    {
        if (!_context.TryQueueOf(jobId, out var queue))
        {
            return false;
        }

        var db = await _context.AvailableDatabaseAsync().ConfigureAwait(false);
        var keys = _context.KeysOf(queue);
        var member = await db.HashGetAsync(keys.Job(jobId), "ix").ConfigureAwait(false);
        if (member.IsNullOrEmpty)
        {
            return false;
        }

        // The walk from the member to itself looks at that one job: forgotten when finished.
        var bound = "[" + member;
        var result = await RedisIndexScan.RunAsync(db, keys, "delete", new JobFilter(), bound, bound, 1, default).ConfigureAwait(false);
        return result.Touched == 1;
    }

    private async ValueTask<long> RunAsync(string operation, JobFilter filter, JobState[] qualifying, CancellationToken cancellationToken)
    {
        var states = filter.State is { } state ? (qualifying.Contains(state) ? [state] : []) : qualifying;
        var upper = filter.CreatedBefore is { } before ? "(" + RedisIndexMember.Time(before) : "+";
        var lower = filter.CreatedAfter is { } after ? "[" + RedisIndexMember.Time(after) : "-";
        var db = await _context.AvailableDatabaseAsync().ConfigureAwait(false);
        long touched = 0;
        foreach (var queue in _search.Queues(filter))
        {
            var keys = _context.KeysOf(queue);
            foreach (var s in states)
            {
                var from = upper;
                while (true)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var result = await RedisIndexScan.RunAsync(db, keys, operation, filter with { State = s }, from, lower, Batch, _context.Time.GetUtcNow()).ConfigureAwait(false);
                    touched += result.Touched;
                    if (result.Exhausted || result.Last.Length == 0)
                    {
                        break;
                    }

                    from = "(" + result.Last;
                }
            }
        }

        return touched;
    }
}
