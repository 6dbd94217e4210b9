namespace Strata.RateLimiting.Internal;

/// <summary>Where a decision came from: the store, a failure mode or the deny cache.</summary>
internal enum DecisionSource
{
    Store,
    DenyCache,
    Fallback,
    FailOpen,
    FailClosed,
}
