using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Strata.ApiKeys;

namespace Strata.Sample.Api.Security;

/// <summary>
/// Checks a pasted key with the API-key scheme itself, as if it had come in its header: the same format check,
/// hashed lookup, revocation, expiry, allowed networks and brute-force guard (on the client's address) as every API
/// request. The check runs on a request of its own in a DI scope of its own, so the scheme's per-request result for
/// the form post (no key in a header) is not the one read back.
/// </summary>
internal static class DashboardKeyCheck
{
    public static async Task<AuthenticateResult> AuthenticateAsync(HttpContext request, string key)
    {
        await using var scope = request.RequestServices.GetRequiredService<IServiceScopeFactory>().CreateAsyncScope();
        var options = scope.ServiceProvider.GetRequiredService<IOptionsMonitor<ApiKeyAuthenticationOptions>>()
            .Get(ApiKeyDefaults.AuthenticationScheme);
        var probe = new DefaultHttpContext { RequestServices = scope.ServiceProvider, RequestAborted = request.RequestAborted };
        probe.Connection.RemoteIpAddress = request.Connection.RemoteIpAddress;
        probe.Connection.RemotePort = request.Connection.RemotePort;
        probe.Request.Scheme = request.Request.Scheme;
        probe.Request.Host = request.Request.Host;
        probe.Request.Path = request.Request.Path;
        probe.Request.Headers[options.HeaderNames.FirstOrDefault() ?? ApiKeyDefaults.HeaderName] = key;
        return await probe.AuthenticateAsync(ApiKeyDefaults.AuthenticationScheme);
    }
}
