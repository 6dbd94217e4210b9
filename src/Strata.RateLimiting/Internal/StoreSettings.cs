namespace Strata.RateLimiting.Internal;

/// <summary>How the runtime treats a distributed store; registered by the store's package (Strata.RateLimiting.Redis).</summary>
internal sealed class StoreSettings
{
    public int FailureThreshold { get; init; } = 3;

    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(5);

    public int FallbackNodeCount { get; init; } = 1;

    public bool DenyCache { get; init; } = true;
}
