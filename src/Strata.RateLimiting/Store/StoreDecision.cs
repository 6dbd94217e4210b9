namespace Strata.RateLimiting.Store;

/// <summary>The outcome of a <see cref="StoreRequest"/>: admitted only when every limit admits it. A struct: only its results array is allocated.</summary>
/// <param name="allowed">True when every limit admitted the request (and its permits were taken).</param>
/// <param name="results">One result per limit of the request, in the request's order.</param>
/// <param name="noPermitForMicros">See <see cref="NoPermitForMicros"/>.</param>
public readonly struct StoreDecision(bool allowed, StoreLimitResult[] results, long noPermitForMicros = 0)
{
    /// <summary>True when every limit admitted the request.</summary>
    public bool Allowed { get; } = allowed;

    /// <summary>One result per limit, in the request's order.</summary>
    public StoreLimitResult[] Results { get; } = results;

    /// <summary>
    /// After an admission that took the last permit: microseconds from the store's now during which the store can admit
    /// no request of this policy and partition, whatever any node does (0 when unknown or not so). Set it only when the
    /// store can prove it (Redis, one GCRA limit: the theoretical arrival time only grows); the runtime then answers
    /// such requests on this node without asking the store.
    /// </summary>
    public long NoPermitForMicros { get; } = noPermitForMicros;

    /// <summary>The longest wait among the rejecting limits.</summary>
    public long RetryMicros
    {
        get
        {
            long retry = 0;
            foreach (var result in Results)
            {
                if (!result.Allowed && result.RetryMicros > retry)
                {
                    retry = result.RetryMicros;
                }
            }

            return retry;
        }
    }
}
