using System.ComponentModel;
using Microsoft.AspNetCore.Mvc;

namespace Strata.Jobs;

/// <summary>The query string of the admin job search: the filter of <see cref="AdminFilterQuery"/>, a cursor and a page size.</summary>
internal sealed class AdminSearchQuery
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

    [FromQuery(Name = "cursor")]
    [Description("The nextCursor of the page before; absent for the first page.")]
    public string? Cursor { get; set; }

    [FromQuery(Name = "limit")]
    [Description("The most jobs on the page, 1 to 1000; 50 when absent.")]
    public string? Limit { get; set; }

    /// <summary>The filter part, for the shared parser.</summary>
    public AdminFilterQuery Filter => new()
    {
        State = State,
        Queue = Queue,
        Type = Type,
        Owner = Owner,
        CreatedAfter = CreatedAfter,
        CreatedBefore = CreatedBefore,
        FinishedBefore = FinishedBefore,
    };
}
