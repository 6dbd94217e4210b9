namespace Strata.Sample.Api.Security;

/// <summary>The scopes the sample's endpoints require.</summary>
internal static class SampleScopes
{
    public const string Analyze = "analyze";
    public const string JobsWrite = "jobs:write";
    public const string Admin = "admin";

    public static readonly string[] All = [Analyze, JobsWrite, Admin];

    /// <summary>The key metadata entry that names the key's plan (the rate-limit tier).</summary>
    public const string PlanMetadata = "plan";

    /// <summary>The plan of the first-run demo key: small enough that a newcomer sees a 429.</summary>
    public const string DemoPlan = "demo";
}
