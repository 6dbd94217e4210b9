using System.ComponentModel;
using Microsoft.AspNetCore.Mvc;

namespace Strata.Jobs;

/// <summary>
/// The filter of a bulk admin operation, from the query string. Every value arrives as text and is read by
/// <see cref="AdminQueryParser"/>, so a bad one is a 400 ProblemDetails naming the parameter, never a binding failure.
/// </summary>
internal class AdminFilterQuery
{
    [FromQuery(Name = "state")]
    [Description("Only jobs in this state: Queued, Scheduled, Running, Succeeded, Failed, Dead or Cancelled (case-insensitive).")]
    public string? State { get; set; }

    [FromQuery(Name = "queue")]
    [Description("Only jobs of this configured queue.")]
    public string? Queue { get; set; }

    [FromQuery(Name = "type")]
    [Description("Only jobs of this registered job type name.")]
    public string? Type { get; set; }

    [FromQuery(Name = "owner")]
    [Description("Only jobs enqueued with this owner tag (exact match).")]
    public string? Owner { get; set; }

    [FromQuery(Name = "createdAfter")]
    [Description("Only jobs created at or after this time (ISO 8601, for example 2026-12-07T18:00:00Z).")]
    public string? CreatedAfter { get; set; }

    [FromQuery(Name = "createdBefore")]
    [Description("Only jobs created before this time (ISO 8601).")]
    public string? CreatedBefore { get; set; }

    [FromQuery(Name = "finishedBefore")]
    [Description("Only finished jobs (Succeeded, Dead, Cancelled) that finished before this time (ISO 8601).")]
    public string? FinishedBefore { get; set; }
}
