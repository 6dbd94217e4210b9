namespace Strata.RateLimiting;

/// <summary>What one policy decided on this node during one minute (UTC, from the host's <see cref="TimeProvider"/>).</summary>
public sealed class RateLimitMinute
{
    internal RateLimitMinute(DateTimeOffset start, long decisions, long denied, long shadowDenied, long denyCacheHits)
    {
        Start = start;
        Decisions = decisions;
        Denied = denied;
        ShadowDenied = shadowDenied;
        DenyCacheHits = denyCacheHits;
    }

    /// <summary>The start of the minute.</summary>
    public DateTimeOffset Start { get; }

    /// <summary>Every decision: admitted, denied and shadow-denied.</summary>
    public long Decisions { get; }

    /// <summary>Requests rejected (429, or 503 when failing closed).</summary>
    public long Denied { get; }

    /// <summary>Requests a policy in shadow mode would have rejected and let through.</summary>
    public long ShadowDenied { get; }

    /// <summary>Rejections answered from the deny cache, without a store round trip (included in <see cref="Denied"/>).</summary>
    public long DenyCacheHits { get; }
}
