using System.Threading.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using RedisRateLimiting;
using StackExchange.Redis;
using Strata.RateLimiting;

namespace Strata.Benchmarks.RateLimiting;

/// <summary>
/// The floor: a bare one-key GCRA script, run by EVALSHA through StackExchange.Redis with keys and arguments built
/// once. It answers admitted or not and nothing else (no remaining, reset or retry-after, no multi-limit policy).
/// </summary>
internal sealed class BareGcraScript : IDecider
{
    /// <summary>KEYS[1]: the partition's theoretical arrival time (µs). ARGV[1]: µs between permits. ARGV[2]: the period (µs), the burst.</summary>
    public const string Script = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local interval = tonumber(ARGV[1])
        local period = tonumber(ARGV[2])
        local tat = tonumber(redis.call('GET', KEYS[1])) or now
        if tat < now then tat = now end
        local new = tat + interval
        if new - now > period then return 0 end
        redis.call('SET', KEYS[1], string.format('%.17g', new), 'PX', math.ceil((new - now) / 1000) + 1)
        return 1
        """;

    private readonly IDatabase _database;
    private readonly byte[] _sha1;
    private readonly RedisKey[][] _keys;
    private readonly RedisValue[] _arguments;

    private BareGcraScript(IDatabase database, byte[] sha1, int limit, TimeSpan period)
    {
        _database = database;
        _sha1 = sha1;
        _keys = [.. DecisionLoad.Keys.Select(k => new RedisKey[] { "bare:{" + k + "}" })];
        var periodMicros = period.Ticks / 10;
        _arguments = [(double)periodMicros / limit, periodMicros];
    }

    public static async Task<BareGcraScript> CreateAsync(IConnectionMultiplexer connection, int limit, TimeSpan period)
    {
        var server = connection.GetServer(connection.GetEndPoints()[0]);
        var sha1 = await server.ScriptLoadAsync(Script).ConfigureAwait(false);
        return new BareGcraScript(connection.GetDatabase(), sha1, limit, period);
    }

    public async ValueTask<bool> DecideAsync(int partition)
        => (long)await _database.ScriptEvaluateAsync(_sha1, _keys[partition], _arguments).ConfigureAwait(false) == 1;
}

/// <summary>A partitioned limiter called as its users call it: <c>AcquireAsync(partition, 1)</c>, the lease disposed.</summary>
internal sealed class LimiterDecider(PartitionedRateLimiter<string> limiter) : IDecider, IDisposable
{
    /// <summary>The partitioned limiter.</summary>
    public PartitionedRateLimiter<string> Limiter => limiter;

    public async ValueTask<bool> DecideAsync(int partition)
    {
        using var lease = await limiter.AcquireAsync(DecisionLoad.Keys[partition], 1).ConfigureAwait(false);
        return lease.IsAcquired;
    }

    public void Dispose() => limiter.Dispose();
}

/// <summary>
/// Strata's limiters without <see cref="PartitionedRateLimiter"/>: one limiter per partition from
/// <see cref="IRateLimiterFactory"/>, built up front and picked by index, so the partitioned wrapper's lookup (a lock
/// and a dictionary shared by all partitions) is left out. Shows what Strata's own path costs.
/// </summary>
internal sealed class DirectDecider : IDecider, IDisposable
{
    private readonly RateLimiter[] _limiters;

    public DirectDecider(IServiceProvider services, string policy)
    {
        var factory = services.GetRequiredService<IRateLimiterFactory>();
        _limiters = [.. DecisionLoad.Keys.Select(k => factory.CreateLimiter(policy, k, RateLimitRule.Gcra(Limiters.LimitOf(k), Limiters.Period)))];
    }

    public async ValueTask<bool> DecideAsync(int partition)
    {
        using var lease = await _limiters[partition].AcquireAsync(1).ConfigureAwait(false);
        return lease.IsAcquired;
    }

    public void Dispose()
    {
        foreach (var limiter in _limiters)
        {
            limiter.Dispose();
        }
    }
}

/// <summary>Builds the limiters under test: Strata (Redis or in-process), RedisRateLimiting 1.2.1, System.Threading.RateLimiting.</summary>
internal static class Limiters
{
    /// <summary>A limit no partition of the throughput loads reaches: every request is admitted.</summary>
    public const int Ample = 1_000_000;

    /// <summary>The limit of the abusive partition of the hot-key load: it is over it after its first 10 calls.</summary>
    public const int HotLimit = 10;

    /// <summary>The period of every limit.</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMinutes(1);

    /// <summary>The limit of a partition: <see cref="HotLimit"/> for the abusive one, <see cref="Ample"/> for the others.</summary>
    public static int LimitOf(string key) => key == DecisionLoad.Keys[DecisionLoad.Hot] ? HotLimit : Ample;

    /// <summary>The services a host registers: logging, metrics, Strata on Redis (the multiplexer from DI; coalesced decisions unless <paramref name="coalesce"/> is false) or in process.</summary>
    public static ServiceProvider StrataServices(IConnectionMultiplexer? redis, bool denyCache = true, bool coalesce = true)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddMetrics();
        if (redis is null)
        {
            services.AddStrataRateLimiting();
        }
        else
        {
            services.AddSingleton(redis);
            services.AddStrataRateLimiting().UseRedis(o =>
            {
                o.UseDenyCache = denyCache;
                o.CoalesceDecisions = coalesce;
            });
        }

        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
    }

    /// <summary>Strata: one limiter per partition from <see cref="IRateLimiterFactory"/>, partitioned by <see cref="PartitionedRateLimiter"/>.</summary>
    public static LimiterDecider Strata(IServiceProvider services, string policy, Func<int, RateLimitRule> rule)
    {
        var factory = services.GetRequiredService<IRateLimiterFactory>();
        return new LimiterDecider(PartitionedRateLimiter.Create<string, string>(key =>
            RateLimitPartition.Get(key, k => factory.CreateLimiter(policy, k, rule(LimitOf(k))))));
    }

    public static LimiterDecider PeerTokenBucket(IConnectionMultiplexer redis) =>
        new(PartitionedRateLimiter.Create<string, string>(key => RedisRateLimitPartition.GetTokenBucketRateLimiter(key, k => new RedisTokenBucketRateLimiterOptions
        {
            ConnectionMultiplexerFactory = () => redis,
            TokenLimit = LimitOf(k),
            TokensPerPeriod = LimitOf(k),
            ReplenishmentPeriod = Period,
        })));

    public static LimiterDecider PeerFixedWindow(IConnectionMultiplexer redis) =>
        new(PartitionedRateLimiter.Create<string, string>(key => RedisRateLimitPartition.GetFixedWindowRateLimiter(key, k => new RedisFixedWindowRateLimiterOptions
        {
            ConnectionMultiplexerFactory = () => redis,
            PermitLimit = LimitOf(k),
            Window = Period,
        })));

    /// <summary>
    /// RedisRateLimiting 1.2.1, sliding window: an exact log in a sorted set (one member per admitted request within the
    /// window), where Strata's sliding window is the two-counter approximation.
    /// </summary>
    public static LimiterDecider PeerSlidingWindow(IConnectionMultiplexer redis) =>
        new(PartitionedRateLimiter.Create<string, string>(key => RedisRateLimitPartition.GetSlidingWindowRateLimiter(key, k => new RedisSlidingWindowRateLimiterOptions
        {
            ConnectionMultiplexerFactory = () => redis,
            PermitLimit = LimitOf(k),
            Window = Period,
        })));

    public static LimiterDecider BuiltInTokenBucket() =>
        new(PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, k => new TokenBucketRateLimiterOptions
        {
            TokenLimit = LimitOf(k),
            TokensPerPeriod = LimitOf(k),
            ReplenishmentPeriod = Period,
            QueueLimit = 0,
        })));

    public static LimiterDecider BuiltInFixedWindow() =>
        new(PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key, k => new FixedWindowRateLimiterOptions
        {
            PermitLimit = LimitOf(k),
            Window = Period,
            QueueLimit = 0,
        })));

    /// <summary>System.Threading.RateLimiting's sliding window, 6 segments per window (10 s each for the 1 min period).</summary>
    public static LimiterDecider BuiltInSlidingWindow() =>
        new(PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetSlidingWindowLimiter(key, k => new SlidingWindowRateLimiterOptions
        {
            PermitLimit = LimitOf(k),
            Window = Period,
            SegmentsPerWindow = 6,
            QueueLimit = 0,
        })));
}
