using System.Text.Json;
using StackExchange.Redis;
using Strata.Jobs.Backends;

namespace Strata.Jobs.Redis;

/// <summary>How the Redis backend writes values: times as unix milliseconds, envelopes as UTF-8 JSON, states as names.</summary>
internal static class RedisValues
{
    public static RedisValue Ms(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    /// <summary>The envelope as UTF-8 JSON: what Redis stores, with no UTF-16 string in between.</summary>
    public static byte[] Serialize(JobEnvelope envelope) => JsonSerializer.SerializeToUtf8Bytes(envelope, RedisEnvelopeJson.Default.JobEnvelope);

    public static JobEnvelope? Deserialize(byte[] json) => JsonSerializer.Deserialize(json, RedisEnvelopeJson.Default.JobEnvelope);

    /// <summary>Every state's name as the scripts write it, in the order of <see cref="JobState"/>'s values.</summary>
    public static IReadOnlyList<JobState> States { get; } = Enum.GetValues<JobState>();

    public static string StateName(JobState state) => state switch
    {
        JobState.Queued => "queued",
        JobState.Scheduled => "scheduled",
        JobState.Running => "running",
        JobState.Succeeded => "succeeded",
        JobState.Failed => "failed",
        JobState.Dead => "dead",
        JobState.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Not a job state."),
    };

    public static JobState ParseState(string? state) => state switch
    {
        "queued" => JobState.Queued,
        "scheduled" => JobState.Scheduled,
        "running" => JobState.Running,
        "succeeded" => JobState.Succeeded,
        "failed" => JobState.Failed,
        "dead" => JobState.Dead,
        "cancelled" => JobState.Cancelled,
        _ => JobState.Queued,
    };
}
