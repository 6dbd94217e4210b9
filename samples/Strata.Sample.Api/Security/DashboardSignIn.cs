using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using Strata.ApiKeys;

namespace Strata.Sample.Api.Security;

/// <summary>
/// Cookie sign-in for the dashboard: a browser cannot send an API-key header, so an operator pastes an admin key into
/// the form at <see cref="LoginPath"/> once; the key is checked by the API-key scheme and a short-lived cookie carries
/// the key's id and the admin scope (never the key). Every request with the cookie looks the key up again, so a key
/// revoked, disabled or stripped of its admin scope loses the dashboard on its next request.
/// </summary>
internal static class DashboardSignIn
{
    /// <summary>The cookie authentication scheme.</summary>
    public const string CookieScheme = "strata-dashboard-cookie";

    /// <summary>The cookie's name.</summary>
    public const string CookieName = "strata-dashboard";

    /// <summary>The sign-in form (GET) and its post (POST).</summary>
    public const string LoginPath = "/strata-login";

    /// <summary>The sign-out post.</summary>
    public const string SignOutPath = "/strata-login/sign-out";

    /// <summary>How long a sign-in lasts: short, as for any admin session; then the form asks for the key again.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(30);

    /// <summary>The cookie scheme and the dashboard's scheme (<see cref="SampleDashboard.Scheme"/>) that picks it or the API-key scheme.</summary>
    public static AuthenticationBuilder AddSampleDashboardSignIn(this AuthenticationBuilder builder)
    {
        builder.AddCookie(CookieScheme, options =>
        {
            options.Cookie.Name = CookieName;
            options.Cookie.HttpOnly = true;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;   // Secure whenever the page came over HTTPS
            options.Cookie.SameSite = Microsoft.AspNetCore.Http.SameSiteMode.Strict;
            options.ExpireTimeSpan = Lifetime;
            options.SlidingExpiration = false;
            options.LoginPath = LoginPath;
            options.LogoutPath = SignOutPath;
            options.Events.OnValidatePrincipal = RecheckKeyAsync;
            options.Events.OnRedirectToLogin = context =>
            {
                // Only the dashboard's pages send a browser to the form; anything else keeps a plain 401.
                if (context.Request.Path.StartsWithSegments(SampleDashboard.Path, StringComparison.Ordinal))
                {
                    context.Response.Redirect(context.RedirectUri);
                }
                else
                {
                    context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                }

                return Task.CompletedTask;
            };
            options.Events.OnRedirectToAccessDenied = context =>
            {
                context.Response.StatusCode = StatusCodes.Status403Forbidden;
                return Task.CompletedTask;
            };
        });
        builder.AddPolicyScheme(SampleDashboard.Scheme, "API key or dashboard sign-in", options =>
            options.ForwardDefaultSelector = SelectScheme);
        return builder;
    }

    /// <summary>The principal the cookie carries: the key's id, owner and name, and the admin scope alone.</summary>
    public static ClaimsPrincipal CookiePrincipal(ClaimsPrincipal apiKeyPrincipal)
    {
        var claims = apiKeyPrincipal.Claims
            .Where(claim => claim.Type is ApiKeyClaimTypes.KeyId or ApiKeyClaimTypes.Owner or ClaimTypes.Name)
            .Select(claim => new Claim(claim.Type, claim.Value))
            .Append(new Claim(ApiKeyClaimTypes.Scope, SampleScopes.Admin));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, CookieScheme, ClaimTypes.Name, ClaimTypes.Role));
    }

    /// <summary>A key sent with the request wins; then the cookie; with neither, a page request gets the cookie's redirect.</summary>
    private static string SelectScheme(HttpContext context)
    {
        var apiKey = context.RequestServices.GetRequiredService<IOptionsMonitor<ApiKeyAuthenticationOptions>>()
            .Get(ApiKeyDefaults.AuthenticationScheme);
        var headers = context.Request.Headers;
        if (headers.ContainsKey(HeaderNames.Authorization) || apiKey.HeaderNames.Any(headers.ContainsKey)
            || (apiKey.QueryParameterName is { Length: > 0 } query && context.Request.Query.ContainsKey(query)))
        {
            return ApiKeyDefaults.AuthenticationScheme;
        }

        if (context.Request.Cookies.ContainsKey(CookieName) || AcceptsHtml(context.Request))
        {
            return CookieScheme;
        }

        return ApiKeyDefaults.AuthenticationScheme;
    }

    private static bool AcceptsHtml(HttpRequest request) =>
        MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted)
        && accepted.Any(type => type.MediaType.Equals("text/html", StringComparison.OrdinalIgnoreCase));

    /// <summary>The key behind a cookie must still exist, be active and have the admin scope, on every request.</summary>
    private static async Task RecheckKeyAsync(CookieValidatePrincipalContext context)
    {
        var services = context.HttpContext.RequestServices;
        var id = context.Principal?.FindFirst(ApiKeyClaimTypes.KeyId)?.Value;
        var record = id is null
            ? null
            : await services.GetRequiredService<IApiKeyManager>().GetAsync(id, context.HttpContext.RequestAborted);
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        if (record is null || !record.IsActiveAt(now) || !record.Scopes.Contains(SampleScopes.Admin, StringComparer.Ordinal))
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieScheme);
        }
    }
}
