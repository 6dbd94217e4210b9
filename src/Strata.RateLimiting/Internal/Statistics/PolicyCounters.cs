namespace Strata.RateLimiting.Internal.Statistics;

/// <summary>The counters of one policy on this node: its minutes and its denied partitions.</summary>
internal sealed class PolicyCounters(string name)
{
    public string Name { get; } = name;

    public MinuteRing Minutes { get; } = new();

    public DeniedPartitions Denied { get; } = new();
}
