namespace Strata.RateLimiting.Internal;

/// <summary>Turns an outcome into the lease a caller gets (the limiter: its counters, headers, deny-cache lease).</summary>
internal interface IOutcomeTracker
{
    System.Threading.RateLimiting.RateLimitLease Track(Outcome outcome, int cost, Microsoft.AspNetCore.Http.HttpContext? context);
}
