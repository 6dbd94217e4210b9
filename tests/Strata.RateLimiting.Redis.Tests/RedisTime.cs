using StackExchange.Redis;
using Strata.RateLimiting.Tests;

namespace Strata.RateLimiting.Redis.Tests;

/// <summary>
/// The scripts read the server's TIME, which a test cannot fake; the store's time offset (ARGV[1]) can move it.
/// Windows are aligned to the Unix epoch, so a test that needs several decisions in one window pins the
/// server's clock just past a boundary instead of trusting wherever the real clock happens to be.
/// </summary>
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

    /// <summary>
    /// Makes <paramref name="store"/>'s decisions see the server's clock at <see cref="TestHost.Start"/> (one second past
    /// a UTC midnight) from now on: every window that divides a day then has all but a second of it left.
    /// </summary>
    public static async Task PinAsync(RedisRateLimitStore store, IConnectionMultiplexer connection) =>
        store.TimeOffsetMicros = await OffsetToAsync(connection, TestHost.Start);
}
