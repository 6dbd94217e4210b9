using StackExchange.Redis;

namespace Strata.Sample.Api.Hosting;

/// <summary>
/// What StackExchange.Redis throws when Redis is out of reach: a <see cref="RedisException"/> (connection lost, no
/// connection available, a server error) or a <see cref="RedisTimeoutException"/> (a command that waited in the
/// client's backlog or for its answer past the timeout). The second is a <see cref="TimeoutException"/>, not a
/// <see cref="RedisException"/>, so a filter on <see cref="RedisException"/> alone lets it through as a 500.
/// </summary>
internal static class RedisOutage
{
    public static bool Is(Exception exception) => exception is RedisException or RedisTimeoutException;
}
