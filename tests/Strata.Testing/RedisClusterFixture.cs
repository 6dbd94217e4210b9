using StackExchange.Redis;
using Xunit;

namespace Strata.Testing;

/// <summary>
/// An xunit fixture that gives a test class the shared three-master <see cref="RedisCluster"/> and one connection
/// to it. Use it as <c>IClassFixture&lt;RedisClusterFixture&gt;</c> or through a collection fixture.
/// </summary>
/// <remarks>
/// One cluster serves every test of the process (it takes a few seconds to form), so each test keeps to keys of
/// its own (<see cref="RedisFixture.UniquePrefix"/>). When no cluster can be formed, <see cref="InitializeAsync"/>
/// throws saying why; the tests fail, they never skip.
/// </remarks>
public sealed class RedisClusterFixture : IAsyncLifetime
{
    private ConnectionMultiplexer? _connection;
    private RedisCluster? _cluster;

    /// <summary>The cluster.</summary>
    public RedisCluster Cluster => _cluster ?? throw new InvalidOperationException("The fixture is not initialised.");

    /// <summary>A connection to the cluster shared by the tests of the class.</summary>
    public IConnectionMultiplexer Connection => _connection ?? throw new InvalidOperationException("The fixture is not initialised.");

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        _cluster = await RedisCluster.GetSharedAsync().ConfigureAwait(false);
        _connection = await _cluster.ConnectAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (_connection is not null)
        {
            await _connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
