namespace Strata.Reliability.Tests.Gateway;

/// <summary>One <see cref="GatewayStack"/> for the tests that leave it running (each uses client addresses of its own).</summary>
public sealed class GatewayStackFixture : IAsyncLifetime
{
    private GatewayStack? _stack;

    public GatewayStack Stack => _stack ?? throw new InvalidOperationException("The stack is not started.");

    public async Task InitializeAsync() => _stack = await GatewayStack.StartAsync();

    public async Task DisposeAsync()
    {
        if (_stack is not null)
        {
            await _stack.DisposeAsync();
        }
    }
}
