using Microsoft.Extensions.Logging;

namespace Strata.Jobs.Redis;

internal sealed partial class RedisJobBackend
{
    private static partial class Log
    {
        [LoggerMessage(101, LogLevel.Warning, "Redis job backend: background work failed; retrying.", EventName = "RedisBackgroundFailed")]
        public static partial void BackgroundFailed(ILogger logger, Exception exception);

        [LoggerMessage(102, LogLevel.Warning, "Reclaimed job {JobId} from a worker that stopped holding it (delivery {Deliveries}).", EventName = "RedisReclaimed")]
        public static partial void Reclaimed(ILogger logger, string jobId, int deliveries);

        [LoggerMessage(104, LogLevel.Information, "Removed consumer {Consumer}, idle with nothing pending (its host stopped).", EventName = "RedisConsumerRemoved")]
        public static partial void ConsumerRemoved(ILogger logger, string consumer);

        [LoggerMessage(103, LogLevel.Error, "Stream entry {EntryId} is not a job envelope; moved to the dead-letter stream.", EventName = "RedisUnreadableEntry")]
        public static partial void UnreadableEntry(ILogger logger, string entryId, Exception exception);
    }
}
