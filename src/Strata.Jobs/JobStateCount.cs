namespace Strata.Jobs;

/// <summary>How many jobs of one queue are in one state.</summary>
/// <param name="Queue">The queue.</param>
/// <param name="State">The state.</param>
/// <param name="Count">The number of jobs the backend remembers in that state on that queue.</param>
public sealed record JobStateCount(string Queue, JobState State, long Count);
