namespace Strata.Dashboard.Internal;

/// <summary>One mounted dashboard: its prefix and the options copied when it was mapped.</summary>
internal sealed class DashboardSettings(string prefix, bool readOnly)
{
    /// <summary>The route prefix, starting with '/' and without a trailing one ("/strata").</summary>
    public string Prefix { get; } = prefix;

    public bool ReadOnly { get; } = readOnly;
}
