using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;

namespace Strata.Dashboard.Internal;

/// <summary>
/// Puts the security headers on every response under a dashboard prefix, including the 401 and 403 that
/// authorization answers before an endpoint runs: a middleware at the very start of the pipeline, added by a
/// startup filter so the host's own middleware order does not matter.
/// </summary>
internal sealed class DashboardHeaders(DashboardRegistry registry) : IStartupFilter
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    /// <summary>Set in <see cref="HttpContext.Items"/> by the asset handler: the response may be cached.</summary>
    public const string CacheableItem = "Strata.Dashboard.Cacheable";

    /// <summary>A year, for the assets whose URL carries their content's hash.</summary>
    public const string AssetCacheControl = "private, max-age=31536000, immutable";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            // Decided when the response starts, not here: by then routing has chosen the endpoint (authorization's
            // 401 and 403 included) and a UsePathBase later in the pipeline has taken its base off the path.
            context.Response.OnStarting(state => ApplyIfDashboard((HttpContext)state), context);
            return nextMiddleware(context);
        });
        next(app);
    };

    private Task ApplyIfDashboard(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<DashboardEndpointMarker>() is not null || IsDashboard(context.Request.Path)
            ? Apply(context)
            : Task.CompletedTask;

    private bool IsDashboard(PathString path)
    {
        foreach (var prefix in registry.Prefixes)
        {
            if (path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static Task Apply(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.XFrameOptions = "DENY";
        if (context.Items.ContainsKey(CacheableItem))
        {
            headers.CacheControl = AssetCacheControl;
            headers.Remove(HeaderNames.Pragma);
        }
        else
        {
            headers.CacheControl = "no-store";
        }

        return Task.CompletedTask;
    }
}
