namespace Strata.Dashboard.Internal;

/// <summary>The prefixes of the dashboards mapped in this host, for the middleware that adds the security headers.</summary>
internal sealed class DashboardRegistry
{
    private readonly object _gate = new();
    private volatile string[] _prefixes = [];

    public IReadOnlyList<string> Prefixes => _prefixes;

    public void Add(string prefix)
    {
        lock (_gate)
        {
            _prefixes = [.. _prefixes, prefix];
        }
    }
}
