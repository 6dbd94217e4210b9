namespace Strata.Dashboard;

/// <summary>How <c>MapStrataDashboard</c> guards and serves the dashboard.</summary>
public sealed class StrataDashboardOptions
{
    /// <summary>
    /// The name of the authorization policy every dashboard route requires (pages, actions and assets). Required:
    /// without it <c>MapStrataDashboard</c> throws, unless <see cref="AllowAnonymousInDevelopment"/> is set.
    /// </summary>
    /// <value>Null (no default: the host names the policy).</value>
    public string? AuthorizationPolicy { get; set; }

    /// <summary>True to show every page but hide every action and refuse every action request with 403.</summary>
    /// <value>False.</value>
    public bool ReadOnly { get; set; }

    /// <summary>
    /// True to serve the dashboard without authorization, for local development only: <c>MapStrataDashboard</c> throws
    /// unless the host environment is Development, and logs a warning at start. Ignored when
    /// <see cref="AuthorizationPolicy"/> is set.
    /// </summary>
    /// <value>False.</value>
    public bool AllowAnonymousInDevelopment { get; set; }
}
