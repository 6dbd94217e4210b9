using Microsoft.Extensions.Logging;

namespace Strata.Jobs.Redis;

/// <summary>
/// Every <see cref="LoggerMessageAttribute"/> method of Strata.Jobs.Redis, in one class on purpose.
/// </summary>
/// <remarks>
/// The logging source generator writes all log classes of an assembly into one generated file,
/// and with several classes it emits them in an order that varies from build to build. That file
/// is embedded in the PDB, so two builds of one commit gave different PDBs and, through the PDB id,
/// different assemblies. One log class per assembly keeps the output deterministic: add new
/// messages here, not in a nested <c>Log</c> class. Event ids, names, levels and templates are
/// those the messages had before the move; the category comes from the logger each caller passes.
/// </remarks>
internal static partial class RedisJobsLog
{
    // RedisJobBackend

    [LoggerMessage(101, LogLevel.Warning, "Redis job backend: background work failed; retrying.", EventName = "RedisBackgroundFailed")]
    public static partial void BackgroundFailed(ILogger logger, Exception exception);

    [LoggerMessage(102, LogLevel.Warning, "Reclaimed job {JobId} from a worker that stopped holding it (delivery {Deliveries}).", EventName = "RedisReclaimed")]
    public static partial void Reclaimed(ILogger logger, string jobId, int deliveries);

    [LoggerMessage(104, LogLevel.Information, "Removed consumer {Consumer}, idle with nothing pending (its host stopped).", EventName = "RedisConsumerRemoved")]
    public static partial void ConsumerRemoved(ILogger logger, string consumer);

    [LoggerMessage(103, LogLevel.Error, "Stream entry {EntryId} is not a job envelope; moved to the dead-letter stream.", EventName = "RedisUnreadableEntry")]
    public static partial void UnreadableEntry(ILogger logger, string entryId, Exception exception);

    // RedisOutage

    [LoggerMessage(110, LogLevel.Warning, "Redis is out of reach ({Cause}): job submit, status and cancel answer 503 at once, and the workers, reaper and heartbeat wait until it is back.", EventName = "RedisOutageStarted")]
    public static partial void OutageStarted(ILogger logger, string cause);

    [LoggerMessage(111, LogLevel.Information, "Redis is reachable again after an outage of {Duration}; the workers carry on.", EventName = "RedisOutageEnded")]
    public static partial void OutageEnded(ILogger logger, TimeSpan duration);

    [LoggerMessage(112, LogLevel.Debug, "Redis is still out of reach after {Duration}; next check in {Delay} (or as soon as the connection is restored).", EventName = "RedisOutageCheck")]
    public static partial void StillDown(ILogger logger, TimeSpan duration, TimeSpan delay);
}
