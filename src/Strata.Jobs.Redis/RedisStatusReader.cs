using System.Globalization;
using StackExchange.Redis;
using Strata.Json;
using static Strata.Jobs.Redis.RedisValues;

namespace Strata.Jobs.Redis;

/// <summary>Reads a job's status hash into a <see cref="JobInfo"/> (the request path: fails at once while Redis is out of reach).</summary>
internal sealed class RedisStatusReader(RedisBackendContext context)
{
    private readonly RedisBackendContext _context = context;

    public async ValueTask<JobInfo?> GetAsync(string jobId)
    {
        if (!_context.TryQueueOf(jobId, out var queue))
        {
            return null;
        }

        var db = await _context.AvailableDatabaseAsync().ConfigureAwait(false);
        var fields = await db.HashGetAllAsync(_context.KeysOf(queue).Job(jobId)).ConfigureAwait(false);
        if (fields.Length == 0 || fields.Any(f => f.Name == "gone"))
        {
            // Unknown, or deleted (a tombstone that keeps a cancelled job's entry from running).
            return null;
        }

        var map = fields.ToDictionary(f => f.Name.ToString(), f => f.Value, StringComparer.Ordinal);
        return ToInfo(jobId, queue, name => map.TryGetValue(name, out var v) ? v : RedisValue.Null);
    }

    /// <summary>A job's status from its hash fields, read by <paramref name="field"/> (a missing field reads as null or empty).</summary>
    public static JobInfo ToInfo(string jobId, string queue, Func<string, RedisValue> field)
    {
        string? Text(string name) => field(name) is { HasValue: true, IsNullOrEmpty: false } v ? v.ToString() : null;
        int Int(string name) => Text(name) is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : 0;
        DateTimeOffset? Time(string name) => Text(name) is { } s ? DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(s, CultureInfo.InvariantCulture)) : null;

        return new JobInfo
        {
            Id = jobId,
            JobType = Text("type") ?? string.Empty,
            Queue = Text("queue") ?? queue,
            State = ParseState(Text("state")),
            Attempt = Int("attempt"),
            MaxAttempts = Int("max"),
            Redeliveries = Int("redeliveries"),
            // The index member holds the creation time in full; 'created' (unix ms) is for jobs written before it.
            CreatedAt = Text("ix") is { } member && RedisIndexMember.IsMember(member) ? RedisIndexMember.CreatedAt(member) : Time("created") ?? default,
            ScheduledFor = Time("scheduled"),
            StartedAt = Time("started"),
            CompletedAt = Time("completed"),
            Progress = Text("progress") is null ? null : Int("progress"),
            ProgressMessage = Text("pmsg"),
            Result = Text("result") is { } result ? JsonText.ToElement(result) : null,
            Error = Text("error"),
            Owner = Text("owner"),
        };
    }
}
