using Microsoft.Extensions.DependencyInjection;

namespace Strata.ApiKeys;

/// <summary>Returned by <c>AddStrataApiKeys()</c>; choose a store on it.</summary>
public sealed class ApiKeysBuilder
{
    internal ApiKeysBuilder(IServiceCollection services)
    {
        Services = services;
    }

    /// <summary>The service collection.</summary>
    public IServiceCollection Services { get; }
}
