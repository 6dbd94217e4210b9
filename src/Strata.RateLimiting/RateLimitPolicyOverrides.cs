namespace Strata.RateLimiting;

/// <summary>Overrides of a policy's first limit, for plan tiers or for single partitions.</summary>
public sealed class RateLimitPolicyOverrides
{
    /// <summary>The limit by tier name (the tier comes from <see cref="RateLimitPolicyOptions.TierSelector"/>).</summary>
    /// <value>Default: empty.</value>
    public IDictionary<string, int> Tiers { get; } = new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary>The limit by partition key (for example an API key id); wins over <see cref="Tiers"/>.</summary>
    /// <value>Default: empty.</value>
    public IDictionary<string, int> Partitions { get; } = new Dictionary<string, int>(StringComparer.Ordinal);
}
