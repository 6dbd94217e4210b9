namespace Strata.RateLimiting.Store;

/// <summary>
/// A decision a store is asked for: every limit of one policy for one partition, admitted all together or not at all.
/// A <see cref="Cost"/> of 0 asks whether one permit is available without taking it. A struct, so a decision allocates
/// no request.
/// </summary>
/// <param name="policy">The policy's name; with <paramref name="partition"/>, what the state is kept under.</param>
/// <param name="partition">The partition key (an API key id, a user, an address); any string, compared ordinally.</param>
/// <param name="limits">The limits, in the order their results come back in <see cref="StoreDecision.Results"/>.</param>
/// <param name="cost">Permits to take: 1 for a request, 0 to peek.</param>
/// <param name="leaseId">The permit's id when <paramref name="limits"/> has a concurrency limit (released later with the same request); else null.</param>
/// <param name="slot">What the store may cache for this policy and partition between decisions; null when nothing is kept.</param>
public readonly struct StoreRequest(string policy, string partition, StoreLimit[] limits, int cost, string? leaseId, PartitionSlot? slot = null)
{
    /// <summary>What the store may cache for this policy and partition between decisions; null when nothing is kept.</summary>
    public PartitionSlot? Slot { get; } = slot;

    /// <summary>The policy's name.</summary>
    public string Policy { get; } = policy;

    /// <summary>The partition key.</summary>
    public string Partition { get; } = partition;

    /// <summary>The limits, decided all or nothing.</summary>
    public StoreLimit[] Limits { get; } = limits;

    /// <summary>Permits to take: 1 for a request, 0 to ask without taking.</summary>
    public int Cost { get; } = cost;

    /// <summary>The permit id of a concurrency limit (released later with it); null when the request has no concurrency limit.</summary>
    public string? LeaseId { get; } = leaseId;
}
