using Microsoft.Extensions.DependencyInjection;

namespace Strata.RateLimiting;

/// <summary>
/// Returned by <c>services.AddStrataRateLimiting()</c>; choose where rate-limit state lives on it, for example
/// <c>.UseRedis("localhost:6379")</c> (Strata.RateLimiting.Redis). Without a choice, state stays in this process.
/// </summary>
public sealed class StrataRateLimitingBuilder
{
    internal StrataRateLimitingBuilder(IServiceCollection services)
    {
        Services = services;
    }

    /// <summary>The service collection.</summary>
    public IServiceCollection Services { get; }
}
