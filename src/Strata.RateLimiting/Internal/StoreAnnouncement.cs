using Microsoft.Extensions.Hosting;

namespace Strata.RateLimiting.Internal;

/// <summary>Builds the host's runtime at start, which logs the store in use once (registered by <c>AddStrataRateLimiting</c>).</summary>
internal sealed class StoreAnnouncement(RateLimitRuntime runtime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        runtime.AnnounceStore();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
