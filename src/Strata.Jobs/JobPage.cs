namespace Strata.Jobs;

/// <summary>One page of a job search, newest first.</summary>
/// <param name="Jobs">The jobs on this page, newest first (by creation time, then by id).</param>
/// <param name="NextCursor">Pass it to the next search for the page after this one; null on the last page.</param>
public sealed record JobPage(IReadOnlyList<JobInfo> Jobs, string? NextCursor);
