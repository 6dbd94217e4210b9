namespace Strata.RateLimiting.Store;

/// <summary>
/// Where limiter state lives. The in-process store decides synchronously; a distributed store (Redis) decides
/// asynchronously in one round trip, so that every node sharing it sees one count. Register one with
/// <c>services.AddStrataRateLimiting().UseStore(...)</c>; the runtime adds the circuit breaker, failure modes, deny
/// cache, metrics and logs around it. <c>Strata.RateLimiting.Testing</c> has the contract tests a store must pass.
/// </summary>
/// <remarks>
/// A store must decide each request atomically: every limit of the request is admitted and charged together, or none
/// is charged, even when other nodes decide on the same partition at the same time. It measures time by one clock for
/// all nodes (the store's own, not the calling node's), and it forgets a partition's state once the state would no
/// longer change an answer.
/// </remarks>
public interface IRateLimitStore
{
    /// <summary>A short name for metrics and logs: <c>in_process</c>, <c>redis</c>.</summary>
    string Name { get; }

    /// <summary>What the store is, for the line logged at start: <c>in-process store (this node only)</c>, <c>redis at host:6379, prefix strata:rl:</c>.</summary>
    string Description { get; }

    /// <summary>True when state is shared with other nodes (turns on the deny cache, the failure modes and the circuit breaker).</summary>
    bool IsDistributed { get; }

    /// <summary>Decides at once, without blocking, when the store can; returns false when only <see cref="DecideAsync"/> can.</summary>
    /// <param name="request">The request.</param>
    /// <param name="decision">The decision when the method returns true.</param>
    /// <returns>True when decided.</returns>
    bool TryDecide(StoreRequest request, out StoreDecision decision);

    /// <summary>Decides one request. Throws <see cref="RateLimitStoreException"/> when the store cannot decide.</summary>
    /// <param name="request">The request.</param>
    /// <param name="cancellationToken">Cancels the wait for the answer (the decision may still have been taken).</param>
    /// <returns>The decision.</returns>
    ValueTask<StoreDecision> DecideAsync(StoreRequest request, CancellationToken cancellationToken);

    /// <summary>Gives back the concurrency permit taken by <paramref name="request"/> (its <see cref="StoreRequest.LeaseId"/>); harmless when already given back or expired.</summary>
    /// <param name="request">The request that took the permit.</param>
    /// <returns>A task that completes when the permit is given back.</returns>
    ValueTask ReleaseAsync(StoreRequest request);
}
