using Microsoft.Extensions.Logging;

namespace Strata.Jobs.Internal;

/// <summary>
/// The log messages of recurring jobs (event ids 310 to 321), category <see cref="Category"/>.
/// </summary>
/// <remarks>
/// Defined with <see cref="LoggerMessage.Define(LogLevel, EventId, string)"/> rather than the source generator on
/// purpose: <see cref="JobsLog"/> explains why Strata.Jobs keeps a single generated log class, and these messages stay
/// in a file of their own beside the scheduler. Same cost at run time: the templates are parsed once.
/// </remarks>
internal static class RecurringLog
{
    public const string Category = "Strata.Jobs.Recurring";

    private static readonly Action<ILogger, string, DateTimeOffset, string, Exception?> FiredMessage = LoggerMessage.Define<string, DateTimeOffset, string>(
        LogLevel.Debug, new EventId(310, "RecurringFired"), "Recurring job {Name}: occurrence {Occurrence:O} enqueued as job {JobId}.");

    private static readonly Action<ILogger, string, DateTimeOffset, string, JobState, Exception?> OverlapSkippedMessage = LoggerMessage.Define<string, DateTimeOffset, string, JobState>(
        LogLevel.Information, new EventId(311, "RecurringOverlapSkipped"), "Recurring job {Name}: occurrence {Occurrence:O} skipped because the previous run is still running (job {JobId}, {State}).");

    private static readonly Action<ILogger, string, DateTimeOffset, DateTimeOffset?, Exception?> MisfireSkippedMessage = LoggerMessage.Define<string, DateTimeOffset, DateTimeOffset?>(
        LogLevel.Information, new EventId(312, "RecurringMisfireSkipped"), "Recurring job {Name}: the occurrences from {Missed:O} on were missed while no host ran and are skipped (misfire policy Skip); next run at {NextRunAt:O}.");

    private static readonly Action<ILogger, string, DateTimeOffset, DateTimeOffset, Exception?> MisfireFiringOnceMessage = LoggerMessage.Define<string, DateTimeOffset, DateTimeOffset>(
        LogLevel.Information, new EventId(313, "RecurringMisfireFiringOnce"), "Recurring job {Name}: the occurrences from {Missed:O} on were missed while no host ran; one job is enqueued for them, as occurrence {Occurrence:O} (misfire policy FireOnce).");

    private static readonly Action<ILogger, string, Exception?> ReadFailedMessage = LoggerMessage.Define<string>(
        LogLevel.Error, new EventId(314, "RecurringReadFailed"), "Reading the recurring-job schedules from the {Backend} backend failed; no occurrence fires until it works again (retried every second, logged once per outage).");

    private static readonly Action<ILogger, string, TimeSpan, Exception?> ReadRecoveredMessage = LoggerMessage.Define<string, TimeSpan>(
        LogLevel.Information, new EventId(315, "RecurringReadRecovered"), "Reading the recurring-job schedules from the {Backend} backend works again after {Outage}.");

    private static readonly Action<ILogger, string, DateTimeOffset, Exception?> FireFailedMessage = LoggerMessage.Define<string, DateTimeOffset>(
        LogLevel.Error, new EventId(316, "RecurringFireFailed"), "Recurring job {Name}: firing occurrence {Occurrence:O} failed; retried every second (logged once until it works).");

    private static readonly Action<ILogger, string, long, Exception?> UnreadableMessage = LoggerMessage.Define<string, long>(
        LogLevel.Warning, new EventId(317, "RecurringUnreadable"), "Recurring job {Name}: stored version {Version} cannot be read by this version of Strata.Jobs; it is not fired by this host.");

    private static readonly Action<ILogger, string, Exception?> RegistrationsFailedMessage = LoggerMessage.Define<string>(
        LogLevel.Error, new EventId(318, "RecurringRegistrationsFailed"), "Writing the recurring jobs registered in code to the {Backend} backend failed; retried every second.");

    private static readonly Action<ILogger, int, string, Exception?> RegisteredMessage = LoggerMessage.Define<int, string>(
        LogLevel.Information, new EventId(319, "RecurringRegistered"), "Recurring jobs: {Count} registered in code, written to the {Backend} backend.");

    private static readonly Action<ILogger, Exception?> PassFailedMessage = LoggerMessage.Define(
        LogLevel.Error, new EventId(320, "RecurringPassFailed"), "A pass of the recurring-job scheduler failed; the next one runs in a second.");

    public static void PassFailed(ILogger logger, Exception exception) => PassFailedMessage(logger, exception);

    private static readonly Action<ILogger, string, string, string, Exception?> StoreOutageMessage = LoggerMessage.Define<string, string, string>(
        LogLevel.Debug, new EventId(321, "RecurringStoreOutage"), "Recurring jobs: {Step} failed while the {Backend} backend is out of reach ({Outage}); retried every second.");

    /// <summary>A failure during an outage the backend reports and logs itself (<see cref="Backends.IJobBackend.DescribeOutage"/>): no stack, at Debug.</summary>
    public static void StoreOutage(ILogger logger, string step, string backend, string outage) => StoreOutageMessage(logger, step, backend, outage, null);

    public static void Fired(ILogger logger, string name, DateTimeOffset occurrence, string jobId) => FiredMessage(logger, name, occurrence, jobId, null);

    public static void OverlapSkipped(ILogger logger, string name, DateTimeOffset occurrence, string jobId, JobState state) => OverlapSkippedMessage(logger, name, occurrence, jobId, state, null);

    public static void MisfireSkipped(ILogger logger, string name, DateTimeOffset missed, DateTimeOffset? nextRunAt) => MisfireSkippedMessage(logger, name, missed, nextRunAt, null);

    public static void MisfireFiringOnce(ILogger logger, string name, DateTimeOffset missed, DateTimeOffset occurrence) => MisfireFiringOnceMessage(logger, name, missed, occurrence, null);

    public static void ReadFailed(ILogger logger, string backend, Exception exception) => ReadFailedMessage(logger, backend, exception);

    public static void ReadRecovered(ILogger logger, string backend, TimeSpan outage) => ReadRecoveredMessage(logger, backend, outage, null);

    public static void FireFailed(ILogger logger, string name, DateTimeOffset occurrence, Exception exception) => FireFailedMessage(logger, name, occurrence, exception);

    public static void Unreadable(ILogger logger, string name, long version, Exception exception) => UnreadableMessage(logger, name, version, exception);

    public static void RegistrationsFailed(ILogger logger, string backend, Exception exception) => RegistrationsFailedMessage(logger, backend, exception);

    public static void Registered(ILogger logger, int count, string backend) => RegisteredMessage(logger, count, backend, null);
}
