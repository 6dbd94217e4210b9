using Microsoft.Extensions.Logging;
using Strata.RateLimiting.Store;

namespace Strata.RateLimiting.Internal;

/// <summary>
/// Whether a distributed store is failing, for the logs: one warning when an outage starts (the first failure after a
/// success: the store, what failed, the failure mode in effect and the breaker's settings) and one information line,
/// with its duration, when it ends (the first success after it). Each failure in between is logged at Debug only, so
/// an outage costs two lines however many decisions it lasts.
/// </summary>
internal sealed class StoreOutage(IRateLimitStore store, DistributedStoreSettings settings, TimeProvider time, ILogger logger)
{
    private int _active;
    private long _startedAt;

    /// <summary>True from the first failure to the next success.</summary>
    public bool IsActive => Volatile.Read(ref _active) == 1;

    /// <summary>Records a failure of <paramref name="policy"/>'s call; logs the start of an outage when this is its first failure.</summary>
    public void Failed(Exception exception, string policy, RateLimitFailureMode failureMode)
    {
        if (Interlocked.CompareExchange(ref _active, 1, 0) != 0)
        {
            return;
        }

        Volatile.Write(ref _startedAt, time.GetTimestamp());

        // A store's own exception says what failed without secrets (see RateLimitStoreException); anything else is
        // unexpected, and its stack is logged this once.
        var known = exception is RateLimitStoreException;
        RateLimitingLog.StoreOutageStarted(
            logger,
            store.Description,
            known ? exception.Message : exception.GetType().Name,
            policy,
            failureMode,
            settings.FailureThreshold,
            settings.BreakDuration,
            known ? null : exception);
    }

    /// <summary>Records a success; logs the end of an outage when one was running. One volatile read otherwise.</summary>
    public void Succeeded()
    {
        if (Volatile.Read(ref _active) == 0 || Interlocked.Exchange(ref _active, 0) == 0)
        {
            return;
        }

        RateLimitingLog.StoreOutageEnded(logger, store.Description, time.GetElapsedTime(Volatile.Read(ref _startedAt)));
    }
}
