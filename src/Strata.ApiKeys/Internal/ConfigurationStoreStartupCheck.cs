using Microsoft.Extensions.Hosting;

namespace Strata.ApiKeys.Internal;

/// <summary>Resolves the configuration store at start-up so a bad configuration stops the host with a message naming the key and field.</summary>
internal sealed class ConfigurationStoreStartupCheck(IApiKeyStore store) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        GC.KeepAlive(store);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
