namespace Strata.Jobs;

/// <summary>A queue as <see cref="IJobAdmin.GetQueuesAsync"/> reports it.</summary>
/// <param name="Name">The queue's name.</param>
/// <param name="Paused">True while paused fleet-wide.</param>
/// <param name="Counts">Jobs per state on this queue (every state, zeros included).</param>
/// <param name="OldestQueuedAt">When the job that has waited longest became runnable; null when none waits.</param>
public sealed record JobQueueStatus(string Name, bool Paused, IReadOnlyDictionary<JobState, long> Counts, DateTimeOffset? OldestQueuedAt);
