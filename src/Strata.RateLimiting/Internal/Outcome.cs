namespace Strata.RateLimiting.Internal;

/// <summary>
/// A decision and, for concurrency limits, how to give the permits back. <see cref="DeniedUntil"/>: when the
/// deny cache holds this rejection, the timestamp (of the runtime's time provider) until which it does; 0 otherwise.
/// </summary>
internal readonly record struct Outcome(Decision Decision, Action? Release, long DeniedUntil = 0);
