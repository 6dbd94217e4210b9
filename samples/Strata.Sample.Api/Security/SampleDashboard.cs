namespace Strata.Sample.Api.Security;

/// <summary>The Strata dashboard at <c>/strata</c>: for keys with the admin scope, sent as a header or signed in from a browser.</summary>
internal static class SampleDashboard
{
    /// <summary>The authorization policy every dashboard route requires: an API key with the <c>admin</c> scope.</summary>
    public const string Policy = "strata-admin";

    /// <summary>Where the dashboard is mapped.</summary>
    public const string Path = "/strata";

    /// <summary>
    /// The policy's authentication scheme: the API-key scheme for a request that carries a key, else the sign-in cookie
    /// (<see cref="DashboardSignIn"/>); a request with neither is challenged by the cookie when it asks for a page
    /// (a redirect to the sign-in form) and by the API-key scheme otherwise (401 ProblemDetails).
    /// </summary>
    public const string Scheme = "strata-dashboard";
}
