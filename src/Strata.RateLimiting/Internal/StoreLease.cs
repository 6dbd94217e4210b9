using System.Threading.RateLimiting;

namespace Strata.RateLimiting.Internal;

/// <summary>The lease of a Strata limiter: the decision as metadata, and the release of concurrency permits on dispose.</summary>
internal sealed class StoreLease : RateLimitLease
{
    private static readonly string[] AcquiredNames =
        [RateLimitMetadataNames.Policy.Name, RateLimitMetadataNames.Limit.Name, RateLimitMetadataNames.Remaining.Name, RateLimitMetadataNames.Reset.Name];

    private static readonly string[] RejectedNames =
        [.. AcquiredNames, MetadataName.RetryAfter.Name, MetadataName.ReasonPhrase.Name, RateLimitMetadataNames.RejectionReason.Name];

    private Action? _release;

    public StoreLease(Decision decision, Action? release)
    {
        Decision = decision;
        _release = release;
    }

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
        else if (metadataName == MetadataName.RetryAfter.Name && !decision.Allowed && decision.RetryAfter > TimeSpan.Zero)
        {
            metadata = decision.RetryAfter;
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
            metadata = TimeSpan.FromTicks(decision.Results[index].ResetMicros * 10);
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
