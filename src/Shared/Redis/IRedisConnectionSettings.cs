using StackExchange.Redis;

namespace Strata.Redis;

/// <summary>
/// The connection settings both Redis packages share, in the shape of Microsoft's <c>RedisCacheOptions</c>
/// (compiled into each package; the public options classes implement it).
/// </summary>
internal interface IRedisConnectionSettings
{
    string? Configuration { get; }

    ConfigurationOptions? ConfigurationOptions { get; }

    Func<Task<IConnectionMultiplexer>>? ConnectionMultiplexerFactory { get; }

    object? ConnectionServiceKey { get; }
}
