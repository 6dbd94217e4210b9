namespace Strata.Benchmarks.Jobs.Database;

/// <summary>The no-op job of the database queue benchmarks.</summary>
/// <param name="N">A sequence number.</param>
/// <param name="EnqueuedAt">The <see cref="System.Diagnostics.Stopwatch"/> timestamp taken just before the enqueue call.</param>
public sealed record StampedJob(int N, long EnqueuedAt);
