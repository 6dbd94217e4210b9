namespace Strata.RateLimiting;

/// <summary>A partition and how often this node denied it.</summary>
public sealed class RateLimitPartitionCount
{
    internal RateLimitPartitionCount(string partition, long denied)
    {
        Partition = partition;
        Denied = denied;
    }

    /// <summary>The partition key as the policy resolved it (an API key id, a user, an address): user input, so encode it before showing it.</summary>
    public string Partition { get; }

    /// <summary>Denials counted for it; a lower bound when a flood of partitions made the table drop it once.</summary>
    public long Denied { get; }
}
