namespace Strata.Reliability.Tests.Gateway;

/// <summary>One <see cref="GatewayStack"/> for the tests that leave it running (each uses client addresses of its own).</summary>
public sealed class GatewayStackFixture : IAsyncLifetime
{
    private GatewayStack? _stack;

    public GatewayStack Stack => _stack ?? throw new InvalidOperationException("The stack is not started.");

    /// <summary>Requests a minute per client address on the nodes (<c>Api:RequestsPerMinutePerAddress</c>), shared by both through Redis.</summary>
    public const int PerAddressLimit = 30;

    public async Task InitializeAsync() => _stack = await GatewayStack.StartAsync(new Dictionary<string, string>
    {
        ["Api__RequestsPerMinutePerAddress"] = PerAddressLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    public async Task DisposeAsync()
    {
        if (_stack is not null)
        {
            await _stack.DisposeAsync();
        }
    }
}
