namespace Strata.ApiKeys;

/// <summary>Service-wide options: hashing, caching, last-used tracking and brute-force protection. Validated at start-up.</summary>
public sealed class ApiKeysOptions
{
    /// <summary>
    /// A server-side secret; when set, keys are hashed with HMAC-SHA256 keyed by it instead of SHA-256. At least 32
    /// characters. Changing it invalidates every key. <value>Default <see langword="null"/> (SHA-256).</value>
    /// </summary>
    public string? Pepper { get; set; }

    /// <summary>
    /// How long a validated lookup is cached, and so the worst-case delay before a revocation is seen by another
    /// node. <see cref="TimeSpan.Zero"/> turns caching off. <value>Default 30 seconds.</value>
    /// </summary>
    public TimeSpan CacheDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an unknown key is remembered as unknown. <value>Default 5 seconds.</value></summary>
    public TimeSpan NegativeCacheDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often coalesced last-used times are written to the store. <value>Default 1 minute.</value></summary>
    public TimeSpan LastUsedFlushInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Brute-force protection. <value>On by default.</value></summary>
    public ApiKeyBruteForceOptions BruteForce { get; } = new();
}
