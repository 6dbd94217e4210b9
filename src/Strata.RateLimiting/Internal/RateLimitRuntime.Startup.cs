using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Strata.RateLimiting.Store;

namespace Strata.RateLimiting.Internal;

/// <summary>How a host's runtime is built and what it says once: the store in use, and a rate limiter placed before authentication.</summary>
internal sealed partial class RateLimitRuntime
{
    private int _storeAnnounced;
    private int _authenticationOrderWarned;

    /// <summary>The runtime of a host, from its services: the store and settings a store package registered, else in-process.</summary>
    public static RateLimitRuntime Create(IServiceProvider services) => new(
        services.GetService<IRateLimitStore>(),
        services.GetService<DistributedStoreSettings>(),
        services.GetService<TimeProvider>(),
        services.GetService<ILoggerFactory>(),
        services.GetService<IMeterFactory>(),
        services.GetService<IOptionsMonitor<StrataRateLimitingOptions>>());

    /// <summary>
    /// Logs, once per runtime (one per host), the store that holds the limits, so that a missing
    /// <c>UseRedis</c> is visible: called at start by the hosted service of <c>AddStrataRateLimiting</c>,
    /// and at first use by the policies and the factory.
    /// </summary>
    public void AnnounceStore()
    {
        if (Interlocked.Exchange(ref _storeAnnounced, 1) != 0)
        {
            return;
        }

        if (_store.IsDistributed)
        {
            RateLimitingLog.SharedStore(_logger, _store.Description);
        }
        else
        {
            RateLimitingLog.InProcessStore(_logger);
        }
    }

    /// <summary>Logs, once per runtime, that a policy partitioned by user ran before authentication, naming the fix.</summary>
    public void WarnAuthenticationAfterRateLimiter(PolicyDefinition policy, string scheme)
    {
        if (Interlocked.Exchange(ref _authenticationOrderWarned, 1) == 0)
        {
            RateLimitingLog.AuthenticationAfterRateLimiter(_logger, policy.Name, policy.Partition?.Description ?? "-", scheme);
        }
    }
}
