namespace Strata.RateLimiting.Internal;

/// <summary>A named policy: its rules (the first is the primary one), options and partitioning, copied on construction.</summary>
internal sealed class PolicyDefinition
{
    public PolicyDefinition(string name, RateLimitRule primary, RateLimitPolicyOptions? options, RatePartition? partition)
    {
        RateLimitNames.ThrowIfInvalid(name, "policyName");
        ArgumentNullException.ThrowIfNull(primary);
        Name = name;
        Partition = partition;
        FailureMode = options?.FailureMode ?? RateLimitFailureMode.FallbackToLocal;
        ShadowMode = options?.ShadowMode ?? false;
        TierSelector = options?.TierSelector;
        Rules = [primary, .. options?.AdditionalRules ?? []];
        foreach (var rule in Rules)
        {
            if (rule is null)
            {
                throw new ArgumentException($"Policy '{name}' has a null rule in AdditionalRules.", nameof(options));
            }
        }

        if (Rules.Length > 16)
        {
            throw new ArgumentException($"Policy '{name}' has {Rules.Length} rules; at most 16 are decided together.", nameof(options));
        }

        HasConcurrency = Rules.Any(r => r.Algorithm == RateLimitAlgorithm.Concurrency);
        Specs = [.. Rules.Select(Store.StoreLimit.From)];
    }

    /// <summary>The rules in the store's units, built once (a request without overrides shares this array; nobody writes to it).</summary>
    public Store.StoreLimit[] Specs { get; }

    public string Name { get; }

    public RatePartition? Partition { get; }

    public RateLimitFailureMode FailureMode { get; }

    public bool ShadowMode { get; }

    public Func<Microsoft.AspNetCore.Http.HttpContext, string?>? TierSelector { get; }

    public RateLimitRule[] Rules { get; }

    public bool HasConcurrency { get; }
}
