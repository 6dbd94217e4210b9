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
