using Microsoft.Extensions.Logging;

namespace Strata.Jobs.EntityFrameworkCore.Internal;

/// <summary>The log lines of the database backend (event ids 400 and up).</summary>
internal static partial class EntityFrameworkJobsLog
{
    [LoggerMessage(EventId = 400, EventName = "LeasesReclaimed", Level = LogLevel.Warning,
        Message = "Handed out again {Count} job(s) whose worker stopped renewing its lease (crashed, killed or cut off from the database).")]
    public static partial void Reclaimed(ILogger logger, int count);

    [LoggerMessage(EventId = 401, EventName = "DutiesFailed", Level = LogLevel.Error,
        Message = "The database job backend could not renew leases or reclaim jobs; it tries again shortly.")]
    public static partial void DutiesFailed(ILogger logger, Exception exception);
}
