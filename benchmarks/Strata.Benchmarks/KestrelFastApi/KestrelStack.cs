using Strata.Benchmarks.SyncAsync;

namespace Strata.Benchmarks.KestrelFastApi;

/// <summary>The sync/async benchmark's Kestrel host (<see cref="SyncAsyncServer"/>), started the same way.</summary>
internal sealed class KestrelStack : IStackServer
{
    private readonly ServerProcess _server;

    private KestrelStack(ServerProcess server) => _server = server;

    public Uri Address => _server.Address;

    public int ProcessId => _server.ProcessId;

    public static KestrelStack Start() => new(ServerProcess.Start());

    public Task PrimeAsync(HttpRequestSpec request) => _server.PrimeAsync(request);

    public void Dispose() => _server.Dispose();
}
