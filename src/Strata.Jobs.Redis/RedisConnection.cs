using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Strata.Redis;

namespace Strata.Jobs.Redis;

/// <summary>
/// The backend's one multiplexer, from the source <see cref="RedisConnectionSource"/> chooses (a factory, a
/// configuration connected once with <c>abortConnect=false</c> so a host starts while Redis is down, or the host's
/// multiplexer from DI). <see cref="Outage"/> follows its state from the first use on.
/// </summary>
internal sealed class RedisConnection(IServiceProvider services, IOptions<RedisJobsOptions> options, RedisOutage outage) : IAsyncDisposable
{
    private readonly RedisConnectionSource _source = RedisConnectionSource.Choose(options.Value, services, static _ => { });

    /// <summary>
    /// How long a request-path call waits for the first connection before it is refused (503). Connecting to a
    /// server that is down can take the client's connect timeout and its retries; a request does not wait that long.
    /// </summary>
    private static readonly TimeSpan RequestConnectWait = TimeSpan.FromSeconds(1);

    private readonly object _sync = new();
    private volatile IConnectionMultiplexer? _connection;
    private Task<IConnectionMultiplexer>? _connecting;

    /// <summary>For the start-up line: <c>redis at host:port (Configuration), prefix strata:jobs:</c>.</summary>
    public string Description => _source.Describe(options.Value.KeyPrefix);

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
            outage.FirstConnectIsSlow(_source.EndPoints());
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
        if (_source.Owned && _connection is { } connection)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
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
            var connection = await _source.ConnectAsync().ConfigureAwait(false);
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
