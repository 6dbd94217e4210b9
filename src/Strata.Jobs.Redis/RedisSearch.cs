using StackExchange.Redis;
using static Strata.Jobs.Redis.RedisValues;

namespace Strata.Jobs.Redis;

/// <summary>
/// Finds and counts jobs through the search indexes each queue keeps in its own hash slot (see scan.lua): a search
/// over several queues asks each for its first page after the cursor, in parallel, and merges them. Counts are the
/// sizes of the per-state indexes, read after the expired jobs have been swept out of them.
/// </summary>
internal sealed class RedisSearch(RedisBackendContext context)
{
    /// <summary>The most expiry entries one sweep call looks at.</summary>
    public const int SweepBatch = 1000;

    private readonly RedisBackendContext _context = context;

    public async ValueTask<JobPage> SearchAsync(JobFilter filter, string? cursor, int limit)
    {
        var after = cursor is null ? null : RedisIndexMember.FromCursor(cursor);
        var queues = Queues(filter);
        if (queues.Count == 0)
        {
            return new JobPage([], null);
        }

        var upper = after;
        if (filter.CreatedBefore is { } before && (upper is null || string.CompareOrdinal(RedisIndexMember.Time(before), upper) < 0))
        {
            upper = RedisIndexMember.Time(before);
        }

        var lower = filter.CreatedAfter is { } from ? "[" + RedisIndexMember.Time(from) : "-";
        var db = await _context.AvailableDatabaseAsync().ConfigureAwait(false);

        // One more than the page from each queue tells whether a job follows the page.
        var pages = await Task.WhenAll(queues.Select(q => CollectAsync(db, _context.KeysOf(q), filter, upper is null ? "+" : "(" + upper, lower, limit + 1))).ConfigureAwait(false);
        var merged = pages.SelectMany(p => p).OrderByDescending(j => j.Member, StringComparer.Ordinal).Take(limit + 1).ToList();
        var next = merged.Count > limit ? RedisIndexMember.ToCursor(merged[limit - 1].Member) : null;
        return new JobPage(merged.Take(limit).Select(j => j.Info).ToList(), next);
    }

    public async ValueTask<IReadOnlyList<JobStateCount>> CountAsync()
    {
        var db = await _context.AvailableDatabaseAsync().ConfigureAwait(false);
        var perQueue = await Task.WhenAll(_context.Queues.Select(async queue =>
        {
            var keys = _context.KeysOf(queue);
            await SweepAsync(db, keys).ConfigureAwait(false);
            var sizes = await Task.WhenAll(States.Select(s => db.SortedSetLengthAsync(keys.IndexState(StateName(s))))).ConfigureAwait(false);
            return States.Select((s, i) => new JobStateCount(queue, s, sizes[i])).Where(c => c.Count > 0);
        })).ConfigureAwait(false);
        return perQueue.SelectMany(c => c).ToList();
    }

    public async ValueTask<DateTimeOffset?> GetOldestQueuedAsync(string queue)
    {
        var db = await _context.AvailableDatabaseAsync().ConfigureAwait(false);
        var keys = _context.KeysOf(queue);
        var reply = (RedisResult[])(await RedisScript.Oldest.EvaluateAsync(db, [keys.Stream], [_context.Options.ConsumerGroup, keys.JobPrefix, 200, 20]).ConfigureAwait(false))!;
        DateTimeOffset? oldest = null;
        foreach (var raw in reply)
        {
            // A worker given back its job appends it anew, behind younger ones: the earliest of the first few wins.
            if (Deserialize((byte[])raw!) is { } envelope && (oldest is null || envelope.EnqueuedAt < oldest))
            {
                oldest = envelope.EnqueuedAt;
            }
        }

        return oldest;
    }

    /// <summary>Drops the jobs whose status has expired from the queue's indexes (all that are due, a batch per call).</summary>
    /// <returns>How many jobs were dropped.</returns>
    public static async Task<long> SweepAsync(IDatabase db, RedisQueueKeys keys)
    {
        long dropped = 0;
        for (var round = 0; round < 100; round++)
        {
            var reply = (RedisResult[])(await RedisScript.Sweep.EvaluateAsync(db, [keys.Expiry], [keys.JobPrefix, keys.IndexPrefix, SweepBatch]).ConfigureAwait(false))!;
            dropped += (long)reply[0];
            if ((long)reply[1] < SweepBatch)
            {
                break;
            }
        }

        return dropped;
    }

    /// <summary>The queues a filter covers: its own when set (none when it is not configured), else every configured one.</summary>
    public IReadOnlyCollection<string> Queues(JobFilter filter) =>
        filter.Queue is { } queue ? (_context.Queues.Contains(queue) ? [queue] : []) : _context.Queues;

    private static async Task<List<(string Member, JobInfo Info)>> CollectAsync(IDatabase db, RedisQueueKeys keys, JobFilter filter, string upper, string lower, int want)
    {
        var found = new List<(string Member, JobInfo Info)>(want);
        while (found.Count < want)
        {
            var result = await RedisIndexScan.RunAsync(db, keys, "search", filter, upper, lower, want - found.Count, default).ConfigureAwait(false);
            found.AddRange(result.Jobs);
            if (result.Exhausted || result.Last.Length == 0)
            {
                break;
            }

            upper = "(" + result.Last;
        }

        return found;
    }
}
