using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Strata.Jobs.Backends;
using Strata.Jobs.Internal;

namespace Strata.Jobs;

/// <summary>How every job endpoint logs a backend failure it answers with 503: the job, admin and recurring-job routes alike.</summary>
internal static class StoreFailureLog
{
    /// <summary>The title of every job endpoint's 503 (job, admin and recurring-job routes alike).</summary>
    public const string UnavailableTitle = "Job queue unavailable";

    /// <summary>The detail of every job endpoint's 503.</summary>
    public const string UnavailableDetail = "The job store is unavailable: it cannot be reached now. Try again after Retry-After.";

    /// <summary>Logs <paramref name="exception"/>; without a stack when the backend reports a known outage, which it logs once itself.</summary>
    public static void Write(HttpContext context, Exception exception)
    {
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("Strata.Jobs.Endpoints");
        if (context.RequestServices.GetService<IJobBackend>()?.DescribeOutage() is { } outage)
        {
            JobsLog.StoreOutage(logger, context.Request.Method, outage);
        }
        else
        {
            JobsLog.BackendUnavailable(logger, context.Request.Method, exception);
        }
    }
}
