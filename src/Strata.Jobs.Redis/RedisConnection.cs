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
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IConnectionMultiplexer? _connection;
    private bool _owned;

    /// <summary>Whether Redis is out of reach; logs the outage's start and end.</summary>
    public RedisOutage Outage => outage;

    public async ValueTask<IConnectionMultiplexer> GetAsync()
    {
        if (_connection is { } existing)
        {
            return existing;
        }

        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_connection is null)
            {
                var registered = services.GetService<IConnectionMultiplexer>();
                if (registered is not null)
                {
                    _connection = registered;
                }
                else
                {
                    var configuration = options.Value.Configuration ?? throw new InvalidOperationException(
                        "Strata.Jobs.Redis needs a connection: register an IConnectionMultiplexer in DI or set RedisJobsOptions.Configuration (UseRedis(\"host:port\")).");
                    var parsed = ConfigurationOptions.Parse(configuration);
                    parsed.AbortOnConnectFail = false;
                    _connection = await ConnectionMultiplexer.ConnectAsync(parsed).ConfigureAwait(false);
                    _owned = true;
                }

                outage.Attach(_connection);
            }

            return _connection;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        // First, so that closing the connection below is not logged as an outage.
        outage.Dispose();
        if (_owned && _connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }

        _gate.Dispose();
    }
}
