using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Strata.Swashbuckle.Tests;

/// <summary>The default policy provider, answering asynchronously (as one that reads policies from a store would).</summary>
internal sealed class YieldingPolicyProvider(IOptions<AuthorizationOptions> options) : IAuthorizationPolicyProvider
{
    private readonly DefaultAuthorizationPolicyProvider _inner = new(options);

    public async Task<AuthorizationPolicy?> GetPolicyAsync(string policyName)
    {
        await Task.Yield();
        return await _inner.GetPolicyAsync(policyName);
    }

    public async Task<AuthorizationPolicy> GetDefaultPolicyAsync()
    {
        await Task.Yield();
        return await _inner.GetDefaultPolicyAsync();
    }

    public async Task<AuthorizationPolicy?> GetFallbackPolicyAsync()
    {
        await Task.Yield();
        return await _inner.GetFallbackPolicyAsync();
    }
}
