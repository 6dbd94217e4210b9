using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;

namespace Strata.RateLimiting.Internal;

/// <summary>
/// The one runtime of every Strata policy added to one <see cref="RateLimiterOptions"/> (one host): the runtime
/// registered by <c>AddStrataRateLimiting</c>, looked up once. Never one per policy, so the policies of a host share
/// one store, one circuit breaker, one deny cache and one set of instruments; and never a runtime of its own when the
/// registration is missing: the first request then fails with the call to add.
/// </summary>
/// <remarks>
/// <c>AddGcraPolicy</c> and friends extend <see cref="RateLimiterOptions"/>, which has no service collection to register
/// into; the options instance is a singleton of the host, so it is where the shared runtime hangs.
/// </remarks>
internal sealed class HostRuntime
{
    private static readonly ConditionalWeakTable<RateLimiterOptions, HostRuntime> ByOptions = new();

    private readonly object _gate = new();
    private readonly Dictionary<string, PolicyDefinition> _policies = new(StringComparer.Ordinal);
    private RateLimitRuntime? _runtime;

    /// <summary>The shared runtime slot of <paramref name="options"/>, created with the first Strata policy.</summary>
    public static HostRuntime Of(RateLimiterOptions options) => ByOptions.GetValue(options, static _ => new HostRuntime());

    /// <summary>Notes a policy added to the options, for <see cref="Find"/>.</summary>
    public void Register(PolicyDefinition definition)
    {
        lock (_policies)
        {
            _policies[definition.Name] = definition;
        }
    }

    /// <summary>The Strata policy named <paramref name="name"/> among those added to the options; null when none is.</summary>
    public PolicyDefinition? Find(string name)
    {
        lock (_policies)
        {
            return _policies.GetValueOrDefault(name);
        }
    }

    /// <summary>Every Strata policy added to the options, for <see cref="IRateLimitingMonitor.Policies"/>.</summary>
    public PolicyDefinition[] All()
    {
        lock (_policies)
        {
            return [.. _policies.Values];
        }
    }

    /// <summary>The shared runtime slot of <paramref name="options"/> when a Strata policy was added to it; otherwise null.</summary>
    public static HostRuntime? Existing(RateLimiterOptions options) => ByOptions.TryGetValue(options, out var host) ? host : null;

    /// <summary>The runtime, resolved or built on first use from <paramref name="services"/> (the request's services).</summary>
    public RateLimitRuntime Get(IServiceProvider services)
    {
        var runtime = Volatile.Read(ref _runtime);
        if (runtime is not null)
        {
            return runtime;
        }

        lock (_gate)
        {
            if (_runtime is null)
            {
                runtime = services.GetService<RateLimitRuntime>() ?? throw new InvalidOperationException(
                    "Strata rate-limit policies need their services: add builder.Services.AddStrataRateLimiting() to Program.cs "
                    + "(and .UseRedis(\"host:port\") on it, from Strata.RateLimiting.Redis, to share limits across nodes).");
                runtime.AnnounceStore();
                Volatile.Write(ref _runtime, runtime);
            }

            return _runtime;
        }
    }
}
