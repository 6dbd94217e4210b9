using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Strata.ApiKeys;

namespace Strata.Sample.Api.Security;

/// <summary>
/// <c>GET /strata-login</c> (the form), <c>POST /strata-login</c> (an admin key pasted in: checked by the API-key
/// scheme, then the cookie) and <c>POST /strata-login/sign-out</c>. Every post carries an antiforgery token; the key
/// is never logged, echoed or kept.
/// </summary>
internal static partial class DashboardSignInEndpoints
{
    private const int MaxKeyLength = 200;

    public static IEndpointRouteBuilder MapDashboardSignIn(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(DashboardSignIn.LoginPath, (Delegate)ShowAsync).ExcludeFromDescription();
        endpoints.MapPost(DashboardSignIn.LoginPath, SignInAsync).ExcludeFromDescription();
        endpoints.MapPost(DashboardSignIn.SignOutPath, (Delegate)SignOutAsync).ExcludeFromDescription();
        return endpoints;
    }

    private static async Task<IResult> ShowAsync(HttpContext context) =>
        await PageAsync(context, StatusCodes.Status200OK, context.Request.Query["ReturnUrl"].ToString(), message: null);

    private static async Task<IResult> SignInAsync(HttpContext context, ILoggerFactory loggers)
    {
        var log = loggers.CreateLogger(typeof(DashboardSignInEndpoints).FullName!);
        if (await ReadFormAsync(context) is not { } form)
        {
            return await PageAsync(context, StatusCodes.Status400BadRequest, null,
                "The form's antiforgery token is missing or invalid: reload this page and sign in again.");
        }

        var returnUrl = form["returnUrl"].ToString();
        var key = form["key"].ToString().Trim();
        if (key.Length is 0 or > MaxKeyLength)
        {
            return await PageAsync(context, StatusCodes.Status400BadRequest, returnUrl, "Paste an API key with the admin scope.");
        }

        var result = await DashboardKeyCheck.AuthenticateAsync(context, key);
        if (!result.Succeeded)
        {
            Log.Refused(log, "key not accepted");
            var reason = result.Failure?.Message ?? "The API key is not valid.";
            return await PageAsync(context, StatusCodes.Status401Unauthorized, returnUrl, $"{reason} Sign-in refused.");
        }

        var keyId = result.Principal.FindFirst(ApiKeyClaimTypes.KeyId)?.Value ?? "";
        if (!result.Principal.HasClaim(ApiKeyClaimTypes.Scope, SampleScopes.Admin))
        {
            Log.NotAdmin(log, keyId);
            return await PageAsync(context, StatusCodes.Status403Forbidden, returnUrl,
                "This key has no admin scope, and the dashboard is for admin keys only. Sign in with a key created with --scopes admin.");
        }

        await context.SignInAsync(DashboardSignIn.CookieScheme, DashboardSignIn.CookiePrincipal(result.Principal));
        Log.SignedIn(log, keyId);
        return SeeOther(context, LocalDashboardUrl(returnUrl));
    }

    private static async Task<IResult> SignOutAsync(HttpContext context)
    {
        if (await ReadFormAsync(context) is null)
        {
            return await PageAsync(context, StatusCodes.Status400BadRequest, null,
                "The form's antiforgery token is missing or invalid: reload this page and sign out again.");
        }

        await context.SignOutAsync(DashboardSignIn.CookieScheme);
        return SeeOther(context, DashboardSignIn.LoginPath);
    }

    /// <summary>The posted form once its antiforgery token checks out; null for a missing or wrong token or a body that is no form.</summary>
    private static async Task<IFormCollection?> ReadFormAsync(HttpContext context)
    {
        if (!context.Request.HasFormContentType)
        {
            return null;
        }

        try
        {
            await context.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(context);
            return await context.Request.ReadFormAsync(context.RequestAborted);
        }
        catch (Exception ex) when (ex is AntiforgeryValidationException or InvalidDataException)
        {
            return null;   // no token, a wrong one, or a body that is not a readable form (a multipart without boundary)
        }
    }

    private static async Task<IResult> PageAsync(HttpContext context, int status, string? returnUrl, string? message)
    {
        var signedIn = await context.AuthenticateAsync(DashboardSignIn.CookieScheme);
        var tokens = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = DashboardSignInPage.ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers.CacheControl = "no-store";
        headers["Referrer-Policy"] = "no-referrer";
        var keyId = signedIn.Succeeded ? signedIn.Principal.FindFirst(ApiKeyClaimTypes.KeyId)?.Value : null;
        var html = DashboardSignInPage.Render(tokens, LocalDashboardUrl(returnUrl), message, keyId);
        return Results.Content(html, "text/html; charset=utf-8", statusCode: status);
    }

    /// <summary>Where to go after signing in: a path under the dashboard, else the dashboard itself (no open redirect).</summary>
    internal static string LocalDashboardUrl(string? returnUrl) =>
        returnUrl is { Length: > 0 }
        && (returnUrl == SampleDashboard.Path || returnUrl.StartsWith(SampleDashboard.Path + "/", StringComparison.Ordinal)
            || returnUrl.StartsWith(SampleDashboard.Path + "?", StringComparison.Ordinal))
        && !returnUrl.Contains('\\', StringComparison.Ordinal)
            ? returnUrl
            : SampleDashboard.Path;

    private static IResult SeeOther(HttpContext context, string location)
    {
        context.Response.Headers.Location = location;
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    private static partial class Log
    {
        [LoggerMessage(20, LogLevel.Information, "Dashboard sign-in with key {KeyId}")]
        public static partial void SignedIn(ILogger logger, string keyId);

        [LoggerMessage(21, LogLevel.Warning, "Dashboard sign-in refused: {Reason}")]
        public static partial void Refused(ILogger logger, string reason);

        [LoggerMessage(22, LogLevel.Warning, "Dashboard sign-in refused for key {KeyId}: it has no admin scope")]
        public static partial void NotAdmin(ILogger logger, string keyId);
    }
}
