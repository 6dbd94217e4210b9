using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Strata.Dashboard.Internal.Pages;
using Strata.RateLimiting;

namespace Strata.Dashboard.Internal;

/// <summary>The rate-limits section: one read-only page, shown when the host registered Strata.RateLimiting.</summary>
internal static class RateLimitRoutes
{
    public const string Path = "/ratelimits";

    public static void Map(RouteGroupBuilder group, DashboardSettings settings) =>
        group.MapGet(Path, DashboardRoutes.Get(settings, request => Task.FromResult<IResult>(
            request.Service<IRateLimitingMonitor>() is { } monitor
                ? RateLimitsPage.Render(request, monitor)
                : request.Error(StatusCodes.Status404NotFound, "Rate limiting not registered",
                    "This host did not register Strata.RateLimiting (AddStrataRateLimiting()), so the dashboard has no rate-limits section."))));
}
