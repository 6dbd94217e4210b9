namespace Strata.Sample.Api.Security;

/// <summary>The Strata dashboard at <c>/strata</c>: for keys with the admin scope.</summary>
internal static class SampleDashboard
{
    /// <summary>The authorization policy every dashboard route requires: an API key with the <c>admin</c> scope.</summary>
    public const string Policy = "strata-admin";
}
