using StackExchange.Redis;
using Xunit;

namespace Strata.Testing;

/// <summary>
/// An xunit fixture that gives a test class the shared real redis-server and one connection to it.
/// Use it as <c>IClassFixture&lt;RedisFixture&gt;</c> or through a collection fixture.
/// </summary>
/// <remarks>
/// Tests share one server per test process, so each test keeps to keys of its own (see
/// <see cref="UniquePrefix"/>). When no server can be had, <see cref="InitializeAsync"/> throws
/// with the install command; the tests fail, they never skip.
/// </remarks>
public sealed class RedisFixture : IAsyncLifetime
{
    private ConnectionMultiplexer? _connection;
    private RedisServer? _server;

    /// <summary>The server.</summary>
    public RedisServer Server => _server ?? throw new InvalidOperationException("The fixture is not initialised.");

    /// <summary>A connection shared by the tests of the class (one multiplexer per host, as in production).</summary>
    public IConnectionMultiplexer Connection => _connection ?? throw new InvalidOperationException("The fixture is not initialised.");

    /// <summary>A key prefix no other test uses, for example <c>t:3f2a9c1e:</c>.</summary>
    public static string UniquePrefix() => $"t:{Guid.NewGuid():N}:";

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        _server = await RedisServer.GetSharedAsync().ConfigureAwait(false);
        _connection = await _server.ConnectAsync().ConfigureAwait(false);
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
