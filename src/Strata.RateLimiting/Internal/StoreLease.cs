using System.Threading.RateLimiting;

namespace Strata.RateLimiting.Internal;

/// <summary>The lease of a Strata limiter: the decision as metadata, and the release of concurrency permits on dispose.</summary>
internal sealed class StoreLease : RateLimitLease
{
    private static readonly string[] AcquiredNames =
        [RateLimitMetadataNames.Policy.Name, RateLimitMetadataNames.Limit.Name, RateLimitMetadataNames.Remaining.Name, RateLimitMetadataNames.Reset.Name];

    private static readonly string[] RejectedNames =
        [.. AcquiredNames, MetadataName.RetryAfter.Name, MetadataName.ReasonPhrase.Name, RateLimitMetadataNames.RejectionReason.Name];

    private readonly TimeProvider? _clock;
    private Action? _release;

    public StoreLease(Decision decision, Action? release)
    {
        Decision = decision;
        _release = release;
    }

    /// <summary>
    /// A rejection held by the deny cache until <paramref name="deniedUntil"/> (a timestamp of <paramref name="clock"/>):
    /// one lease answers every request of its partition until then, so its retry-after (the time left until
    /// <paramref name="deniedUntil"/>) and reset (less the time passed since the decision) are computed when read.
    /// </summary>
    public StoreLease(Decision decision, TimeProvider clock, long deniedUntil, int deniedCost)
    {
        Decision = decision;
        _clock = clock;
        DeniedUntil = deniedUntil;
        DeniedCost = deniedCost;
    }

    /// <summary>For a deny-cache lease: the timestamp until which its partition is rejected locally; 0 otherwise.</summary>
    public long DeniedUntil { get; }

    /// <summary>For a deny-cache lease: the smallest cost it rejects (a smaller request may fit).</summary>
    public int DeniedCost { get; }

    /// <summary>When rejected: how long from now until the same request would be admitted; zero when unknown or passed.</summary>
    public TimeSpan RetryAfter => _clock is null ? Decision.RetryAfter : Clamp(_clock.GetElapsedTime(_clock.GetTimestamp(), DeniedUntil));

    /// <summary>The time passed since the decision: zero except for a deny-cache lease.</summary>
    private TimeSpan Elapsed() => _clock is null ? TimeSpan.Zero : Decision.RetryAfter - RetryAfter;

    private static TimeSpan Clamp(TimeSpan value) => value > TimeSpan.Zero ? value : TimeSpan.Zero;

    /// <summary>Not acquired, no metadata: an <c>AttemptAcquire</c> that only a round trip to the store can answer.</summary>
    public static StoreLease Deferred { get; } = new(new Decision(string.Empty, [], [], false, DecisionSource.Store, TimeSpan.Zero), null);

    public Decision Decision { get; }

    public override bool IsAcquired => Decision.Allowed;

    public override IEnumerable<string> MetadataNames => Decision.Allowed ? AcquiredNames : RejectedNames;

    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        var decision = Decision;
        var index = decision.MostRestrictive;
        metadata = null;
        if (metadataName == RateLimitMetadataNames.Policy.Name && decision.Policy.Length > 0)
        {
            metadata = decision.Policy;
        }
        else if (metadataName == MetadataName.RetryAfter.Name && !decision.Allowed && RetryAfter is var retryAfter && retryAfter > TimeSpan.Zero)
        {
            metadata = retryAfter;
        }
        else if (metadataName == RateLimitMetadataNames.RejectionReason.Name && decision.RejectionReason is { } reason && decision.Policy.Length > 0)
        {
            metadata = reason;
        }
        else if (metadataName == MetadataName.ReasonPhrase.Name && decision.RejectionReason is { } phrase && decision.Policy.Length > 0)
        {
            metadata = phrase == RateLimitRejectionReasons.QuotaExceeded ? "Rate limit exceeded." : "The rate-limit store is unavailable.";
        }
        else if (index >= 0 && metadataName == RateLimitMetadataNames.Limit.Name)
        {
            metadata = (long)decision.Rules[index].Limit;
        }
        else if (index >= 0 && metadataName == RateLimitMetadataNames.Remaining.Name)
        {
            metadata = decision.Results[index].Remaining;
        }
        else if (index >= 0 && metadataName == RateLimitMetadataNames.Reset.Name)
        {
            metadata = Clamp(TimeSpan.FromTicks(decision.Results[index].ResetMicros * 10) - Elapsed());
        }

        return metadata is not null;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            Interlocked.Exchange(ref _release, null)?.Invoke();
        }

        base.Dispose(disposing);
    }
}
