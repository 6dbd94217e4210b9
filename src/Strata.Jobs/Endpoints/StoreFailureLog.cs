using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Strata.Jobs.Backends;
using Strata.Jobs.Internal;

namespace Strata.Jobs;

/// <summary>How every job endpoint logs a backend failure it answers with 503: the job, admin and recurring-job routes alike.</summary>
internal static class StoreFailureLog
{
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
