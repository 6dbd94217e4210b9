using System.Text.Json;
using StackExchange.Redis;
using static Strata.Jobs.Redis.RedisValues;

namespace Strata.Jobs.Redis;

/// <summary>
/// One call of scan.lua: walks a queue's smallest matching search index newest first from a bound, and returns,
/// requeues or forgets the jobs that match a filter. The callers (<see cref="RedisSearch"/>, <see cref="RedisBulk"/>)
/// go on from <see cref="Result.Last"/> until they have what they need or the index ends.
/// </summary>
internal static class RedisIndexScan
{
    /// <summary>The most index entries one call looks at, so a sparse filter never holds the server for long.</summary>
    public const int Budget = 4000;

    /// <summary>The status fields scan.lua returns per match, in its order.</summary>
    private static readonly string[] Fields =
        ["type", "queue", "state", "attempt", "max", "redeliveries", "created", "scheduled", "started", "completed", "progress", "pmsg", "result", "error", "owner"];

    public static async Task<Result> RunAsync(
        IDatabase db,
        RedisQueueKeys keys,
        string operation,
        JobFilter filter,
        string upper,
        string lower,
        int max,
        DateTimeOffset now)
    {
        var candidates = new List<RedisKey>(4) { keys.Stream };
        if (filter.State is { } state)
        {
            candidates.Add(keys.IndexState(StateName(state)));
        }

        if (filter.JobType is { } jobType)
        {
            candidates.Add(keys.IndexType(jobType));
        }

        if (filter.Owner is { } owner)
        {
            candidates.Add(keys.IndexOwner(owner));
        }

        if (candidates.Count == 1)
        {
            candidates.Add(keys.IndexAll);
        }

        var reply = (RedisResult[])(await RedisScript.Scan.EvaluateAsync(
            db,
            [.. candidates],
            [
                operation,
                keys.JobPrefix,
                keys.IndexPrefix,
                upper,
                lower,
                filter.State is { } s ? StateName(s) : string.Empty,
                filter.JobType ?? string.Empty,
                filter.Owner ?? string.Empty,
                filter.FinishedBefore is { } before ? Ms(before) : RedisValue.EmptyString,
                max,
                Budget,
                operation == "requeue" ? JsonSerializer.Serialize(now, RedisEnvelopeJson.Default.DateTimeOffset).Trim('"') : string.Empty,
                keys.WakeChannel,
            ]).ConfigureAwait(false))!;

        var jobs = new List<(string Member, JobInfo Info)>();
        for (var i = 3; i + Fields.Length < reply.Length; i += Fields.Length + 1)
        {
            var member = (string)reply[i]!;
            var values = reply.AsSpan(i + 1, Fields.Length).ToArray();
            var info = RedisStatusReader.ToInfo(RedisIndexMember.JobId(member), keys.Queue, name => name == "ix" ? member : Array.IndexOf(Fields, name) is var at and >= 0 ? (RedisValue)values[at] : RedisValue.Null);
            jobs.Add((member, info));
        }

        return new Result((long)reply[0], (string?)reply[1] ?? string.Empty, (int)reply[2] == 1, jobs);
    }

    /// <summary>What one call did.</summary>
    /// <param name="Touched">Matches returned, requeued or forgotten.</param>
    /// <param name="Last">The last index member looked at ('' when none): the exclusive bound of the next call.</param>
    /// <param name="Exhausted">True when the index has no entry past <paramref name="Last"/>.</param>
    /// <param name="Jobs">For a search, the matches, newest first.</param>
    public sealed record Result(long Touched, string Last, bool Exhausted, List<(string Member, JobInfo Info)> Jobs);
}
