using Strata.RateLimiting.Store;

namespace Strata.RateLimiting.Internal;

/// <summary>A decision with what the lease, the headers and the response need.</summary>
internal sealed class Decision(
    string policy,
    RateLimitRule[] rules,
    StoreLimitResult[] results,
    bool allowed,
    DecisionSource source,
    TimeSpan retryAfter,
    bool shadowRejected = false)
{
    public string Policy { get; } = policy;

    /// <summary>The rules as decided (after overrides or the fallback share).</summary>
    public RateLimitRule[] Rules { get; } = rules;

    /// <summary>One result per rule; empty when nothing was counted (fail open, fail closed).</summary>
    public StoreLimitResult[] Results { get; } = results;

    public bool Allowed { get; } = allowed;

    public DecisionSource Source { get; } = source;

    /// <summary>When rejected: how long until the same request would be admitted; zero when unknown.</summary>
    public TimeSpan RetryAfter { get; } = retryAfter;

    /// <summary>True when shadow mode admitted a request the limits rejected.</summary>
    public bool ShadowRejected { get; } = shadowRejected;

    public string? RejectionReason => Allowed ? null
        : Source == DecisionSource.FailClosed ? RateLimitRejectionReasons.StoreUnavailable
        : RateLimitRejectionReasons.QuotaExceeded;

    /// <summary>The index of the most restrictive rule (fewest remaining), or -1 when nothing was counted.</summary>
    public int MostRestrictive
    {
        get
        {
            var best = -1;
            for (var i = 0; i < Results.Length; i++)
            {
                if (best < 0
                    || (!Results[i].Allowed && Results[best].Allowed)
                    || (Results[i].Allowed == Results[best].Allowed && Results[i].Remaining < Results[best].Remaining))
                {
                    best = i;
                }
            }

            return best;
        }
    }

    /// <summary>The header name of rule <paramref name="index"/>.</summary>
    public string RuleName(int index) => Rules[index].Name ?? (index == 0 ? Policy : Policy + "-" + (index + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
}
