namespace Strata.RateLimiting;

/// <summary>The state of the circuit breaker in front of a distributed store.</summary>
public enum RateLimitCircuitState
{
    /// <summary>Calls go to the store.</summary>
    Closed,

    /// <summary>The store failed too often: decisions follow each policy's failure mode until the break ends.</summary>
    Open,

    /// <summary>The break ended: the next call is a probe whose success closes the circuit.</summary>
    HalfOpen,
}
