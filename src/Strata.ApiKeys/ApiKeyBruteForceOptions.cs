namespace Strata.ApiKeys;

/// <summary>Throttling of client addresses that keep sending malformed or unknown keys.</summary>
public sealed class ApiKeyBruteForceOptions
{
    /// <summary>Whether protection is on. <value>Default <see langword="true"/>.</value></summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Failed attempts allowed per client address per window; the next attempt gets 429. <value>Default 10.</value></summary>
    public int PermitFailures { get; set; } = 10;

    /// <summary>The counting window; a blocked address's malformed and unknown keys get 429 until it ends (its valid keys are still accepted). <value>Default 1 minute.</value></summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The most client addresses tracked at once (memory bound); beyond it the oldest windows are dropped. <value>Default 100000.</value></summary>
    public int MaxTrackedAddresses { get; set; } = 100_000;
}
