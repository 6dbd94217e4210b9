using Microsoft.Extensions.Logging;

namespace Strata.RateLimiting.Internal;

/// <summary>
/// Every <see cref="LoggerMessageAttribute"/> method of Strata.RateLimiting, in one class on purpose.
/// </summary>
/// <remarks>
/// The logging source generator writes all log classes of an assembly into one generated file,
/// and with several classes it emits them in an order that varies from build to build. That file
/// is embedded in the PDB, so two builds of one commit gave different PDBs and, through the PDB id,
/// different assemblies. One log class per assembly keeps the output deterministic: add new
/// messages here, not in a nested <c>Log</c> class. Event ids, names, levels and templates are
/// those the messages had before the move; the category comes from the logger each caller passes.
/// </remarks>
internal static partial class RateLimitingLog
{
    // RateLimitRuntime. Per-call failures and the breaker's turns are Debug: an outage is told by StoreOutageStarted
    // and StoreOutageEnded (StoreOutage), two lines however many decisions it lasts.

    [LoggerMessage(1, LogLevel.Debug, "Rate-limit store '{Store}' could not decide for policy '{Policy}'; deciding with {FailureMode}.", EventName = "StoreFailed")]
    public static partial void StoreFailed(ILogger logger, string store, string policy, RateLimitFailureMode failureMode, Exception exception);

    [LoggerMessage(2, LogLevel.Debug, "Circuit to rate-limit store '{Store}' opened for {BreakDuration}; policies use their failure mode meanwhile.", EventName = "CircuitOpened")]
    public static partial void CircuitOpened(ILogger logger, string store, TimeSpan breakDuration);

    [LoggerMessage(3, LogLevel.Debug, "Circuit to rate-limit store '{Store}' closed; decisions return to the store.", EventName = "CircuitClosed")]
    public static partial void CircuitClosed(ILogger logger, string store);

    [LoggerMessage(4, LogLevel.Information, "Shadow mode: policy '{Policy}' would have rejected a request of partition '{Partition}'.", EventName = "ShadowRejected")]
    public static partial void ShadowRejected(ILogger logger, string policy, string partition);

    [LoggerMessage(5, LogLevel.Debug, "Policy '{Policy}' rejected a request ({Source}).", EventName = "Rejected")]
    public static partial void Rejected(ILogger logger, string policy, DecisionSource source);

    [LoggerMessage(6, LogLevel.Debug, "Releasing concurrency permits of policy '{Policy}' in store '{Store}' failed; they expire with their lifetime.", EventName = "ReleaseFailed")]
    public static partial void ReleaseFailed(ILogger logger, string store, string policy, Exception exception);

    // RateLimitRuntime (startup)

    [LoggerMessage(7, LogLevel.Warning, "Rate-limit policy '{Policy}' partitions by {Partition}, but a request reached the rate limiter before authentication: call app.UseAuthentication() before app.UseRateLimiter(). Until then such requests are authenticated by the rate limiter with the default scheme '{Scheme}', so that keys do not share one anonymous bucket.", EventName = "AuthenticationAfterRateLimiter")]
    public static partial void AuthenticationAfterRateLimiter(ILogger logger, string policy, string partition, string scheme);

    [LoggerMessage(8, LogLevel.Information, "Rate limits: in-process store (this node only). Call UseRedis(...) on AddStrataRateLimiting() to share limits across nodes.", EventName = "InProcessStore")]
    public static partial void InProcessStore(ILogger logger);

    [LoggerMessage(9, LogLevel.Information, "Rate limits: {Store}", EventName = "SharedStore")]
    public static partial void SharedStore(ILogger logger, string store);

    // StoreOutage

    [LoggerMessage(10, LogLevel.Warning, "Rate-limit store {Store} is out of reach ({Failure}). Until it answers again, policies decide with their failure mode (policy '{Policy}': {FailureMode}); after {FailureThreshold} failures in a row one probe every {BreakDuration} tests the store. One line follows when it is back.", EventName = "StoreOutageStarted")]
    public static partial void StoreOutageStarted(ILogger logger, string store, string failure, string policy, RateLimitFailureMode failureMode, int failureThreshold, TimeSpan breakDuration, Exception? exception);

    [LoggerMessage(11, LogLevel.Information, "Rate-limit store {Store} answers again after an outage of {Duration}; decisions return to it.", EventName = "StoreOutageEnded")]
    public static partial void StoreOutageEnded(ILogger logger, string store, TimeSpan duration);
}
