using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;

namespace Strata.RateLimiting.Internal;

/// <summary>
/// A Strata policy as ASP.NET Core's middleware sees it: a partition per request, a
/// <see cref="StoreRateLimiter"/> per partition, and Strata's rejection response.
/// </summary>
internal sealed class StrataRateLimiterPolicy(PolicyDefinition definition) : IRateLimiterPolicy<string>
{
    private readonly object _gate = new();
    private RateLimitRuntime? _runtime;

    public PolicyDefinition Definition => definition;

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; } = RateLimitResponses.OnRejectedAsync;

    public RateLimitPartition<string> GetPartition(HttpContext httpContext)
    {
        var runtime = Runtime(httpContext.RequestServices);
        var partition = definition.Partition!.Resolve(httpContext);
        var tier = definition.TierSelector?.Invoke(httpContext);
        RequestBinding.Set(httpContext, definition, partition, tier);
        return RateLimitPartition.Get(partition, key => new StoreRateLimiter(runtime, definition, key));
    }

    private RateLimitRuntime Runtime(IServiceProvider services)
    {
        var runtime = Volatile.Read(ref _runtime);
        if (runtime is not null)
        {
            return runtime;
        }

        lock (_gate)
        {
            return _runtime ??= RateLimitRuntime.FromServices(services);
        }
    }
}
