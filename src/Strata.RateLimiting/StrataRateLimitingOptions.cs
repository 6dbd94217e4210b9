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
