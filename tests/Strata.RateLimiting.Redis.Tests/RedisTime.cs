using StackExchange.Redis;

namespace Strata.RateLimiting.Redis.Tests;

internal static class RedisTime
{
    /// <summary>The offset that makes the server's clock read <paramref name="target"/> now.</summary>
    public static async Task<long> OffsetToAsync(IConnectionMultiplexer connection, DateTimeOffset target)
    {
        var time = (RedisResult[])(await connection.GetDatabase().ExecuteAsync("TIME"))!;
        var serverMicros = (long)time[0] * 1_000_000 + (long)time[1];
        var targetMicros = (target.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / 10;
        return targetMicros - serverMicros;
    }
}
