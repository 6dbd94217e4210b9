namespace Strata.Sample.Api.RateLimits;

/// <summary>
/// The names of the sample's rate-limit policies (Strata.RateLimiting, wired up in <c>Program.cs</c>). Each takes its
/// limit from the key's plan (key metadata <c>plan</c> = a tier under <c>RateLimiting:Policies:{policy}:Tiers</c>),
/// else from <c>Api:RequestsPerMinute</c> / <c>Api:TokensPerMinute</c> (the admin policy: <c>Api:AdminRequestsPerMinute</c>); when Redis cannot decide (api role), each
/// follows its failure mode (<see cref="SampleFailureModes"/>, <c>RateLimiting:Policies:{policy}:FailureMode</c>).
/// </summary>
internal static class SampleRateLimits
{
    /// <summary>The GCRA request limit per API key on every <c>/v1</c> route.</summary>
    public const string PerKeyPolicy = "per-key";

    /// <summary>The GCRA request limit per API key on the key-management routes (<c>Api:AdminRequestsPerMinute</c>).</summary>
    public const string AdminPolicy = "admin";

    /// <summary>The GCRA request limit per client address on every route but <c>/health</c> (<c>Api:RequestsPerMinutePerAddress</c>), before any key is read.</summary>
    public const string PerAddressPolicy = "per-address";

    /// <summary>The token budget per API key on <c>/v1/analyze</c> (<see cref="TokenBudget"/>).</summary>
    public const string TokensPolicy = "tokens";
}
