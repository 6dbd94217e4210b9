namespace Strata.RateLimiting;

/// <summary>
/// Settings of Strata rate limiting that apply to every policy and reload with configuration
/// (read through <c>IOptionsMonitor</c>): response headers and per-partition limit overrides.
/// </summary>
public sealed class StrataRateLimitingOptions
{
    /// <summary>Write the IETF <c>RateLimit-Policy</c> and <c>RateLimit</c> header fields on every limited response.</summary>
    /// <value>Default: true.</value>
    public bool EmitRateLimitHeaders { get; set; } = true;

    /// <summary>Also write the legacy <c>X-RateLimit-Limit</c>, <c>X-RateLimit-Remaining</c> and <c>X-RateLimit-Reset</c> (seconds) headers.</summary>
    /// <value>Default: false.</value>
    public bool EmitLegacyHeaders { get; set; }

    /// <summary>Limit overrides by policy name.</summary>
    /// <value>Default: empty.</value>
    public IDictionary<string, RateLimitPolicyOverrides> Policies { get; } = new Dictionary<string, RateLimitPolicyOverrides>(StringComparer.Ordinal);
}

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
