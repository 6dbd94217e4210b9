namespace Strata.Dashboard.Internal;

/// <summary>Metadata on every dashboard endpoint: its responses get the dashboard's security headers.</summary>
internal sealed class DashboardEndpointMarker
{
    public static readonly DashboardEndpointMarker Instance = new();
}
