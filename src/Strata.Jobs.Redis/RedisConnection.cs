using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Strata.Jobs.Redis;

/// <summary>
/// The host's one multiplexer: the one registered in DI, or one connected once from the configuration string
/// (<c>abortConnect=false</c>: a host starts while Redis is down, and the multiplexer reconnects on its own).
/// <see cref="Outage"/> follows its state from the first use on.
/// </summary>
internal sealed class RedisConnection(IServiceProvider services, IOptions<RedisJobsOptions> options, RedisOutage outage) : IAsyncDisposable
{
    /// <summary>
    /// How long a request-path call waits for the first connection before it is refused (503). Connecting to a
    /// server that is down can take the client's connect timeout and its retries; a request does not wait that long.
    /// </summary>
    private static readonly TimeSpan RequestConnectWait = TimeSpan.FromSeconds(1);

    private readonly object _sync = new();
    private volatile IConnectionMultiplexer? _connection;
    private Task<IConnectionMultiplexer>? _connecting;
    private bool _owned;

    /// <summary>Whether Redis is out of reach; logs the outage's start and end.</summary>
    public RedisOutage Outage => outage;

    /// <summary>The multiplexer, connecting it on first use (background work waits for it).</summary>
    public ValueTask<IConnectionMultiplexer> GetAsync() =>
        _connection is { } existing ? new(existing) : new(Connecting());

    /// <summary>
    /// The multiplexer for a request-path call: while the first connection is still being made, waits at most
    /// <see cref="RequestConnectWait"/>, then throws a <see cref="RedisConnectionException"/> (nothing was sent).
    /// </summary>
    public async ValueTask<IConnectionMultiplexer> GetForRequestAsync()
    {
        if (_connection is { } existing)
        {
            return existing;
        }

        outage.ThrowIfDown();   // the first connection is already known to be slow: no second wait
        try
        {
            return await Connecting().WaitAsync(RequestConnectWait).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            outage.FirstConnectIsSlow(EndPoints());
            outage.ThrowIfDown();
            throw new RedisConnectionException(
                ConnectionFailureType.UnableToConnect,
                "Strata.Jobs.Redis is still making its first connection to Redis: the job store is unavailable; the command was not sent.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        // First, so that closing the connection below is not logged as an outage.
        outage.Dispose();
        if (_owned && _connection is { } connection)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>The servers the configuration names (never the string itself: it may hold a password).</summary>
    private string EndPoints()
    {
        try
        {
            var configured = ConfigurationOptions.Parse(options.Value.Configuration ?? string.Empty).EndPoints;
            return configured.Count == 0 ? "Redis" : RedisOutage.EndPoints(configured);
        }
        catch (ArgumentException)
        {
            return "Redis";
        }
    }

    private Task<IConnectionMultiplexer> Connecting()
    {
        lock (_sync)
        {
            return _connecting ??= ConnectAsync();
        }
    }

    private async Task<IConnectionMultiplexer> ConnectAsync()
    {
        try
        {
            IConnectionMultiplexer connection;
            var registered = services.GetService<IConnectionMultiplexer>();
            if (registered is not null)
            {
                connection = registered;
            }
            else
            {
                var configuration = options.Value.Configuration ?? throw new InvalidOperationException(
                    "Strata.Jobs.Redis needs a connection: register an IConnectionMultiplexer in DI or set RedisJobsOptions.Configuration (UseRedis(\"host:port\")).");
                var parsed = ConfigurationOptions.Parse(configuration);
                parsed.AbortOnConnectFail = false;
                connection = await ConnectionMultiplexer.ConnectAsync(parsed).ConfigureAwait(false);
                _owned = true;
            }

            outage.Attach(connection);
            _connection = connection;
            return connection;
        }
        catch
        {
            // A failed attempt (a bad configuration string, say) is not remembered: the next call tries again.
            lock (_sync)
            {
                _connecting = null;
            }

            throw;
        }
    }
}
