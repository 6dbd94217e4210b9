namespace Strata.RateLimiting;

/// <summary>What a policy does when its store (Redis) is slow, down, or its circuit breaker is open.</summary>
public enum RateLimitFailureMode
{
    /// <summary>Decide with an in-process limiter whose limits are divided by the configured node count.</summary>
    FallbackToLocal = 0,

    /// <summary>Admit every request (availability over protection).</summary>
    FailOpen = 1,

    /// <summary>Reject every request with 503 and a ProblemDetails body (protection over availability).</summary>
    FailClosed = 2,
}
