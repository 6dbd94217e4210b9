namespace Strata.Jobs.Backends;

/// <summary>The outcome of <see cref="IJobBackend.EnqueueAsync"/>.</summary>
/// <param name="Status">What happened.</param>
/// <param name="JobId">The stored job's id; for <see cref="EnqueueStatus.Duplicate"/>, the id of the job that holds the key; null when full.</param>
public readonly record struct EnqueueResult(EnqueueStatus Status, string? JobId);
