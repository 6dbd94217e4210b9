using System.ComponentModel;
using Microsoft.AspNetCore.Mvc;

namespace Strata.Jobs;

/// <summary>The query string of the admin job search: the filter of <see cref="AdminFilterQuery"/>, a cursor and a page size.</summary>
internal sealed class AdminSearchQuery : AdminFilterQuery
{
    [FromQuery(Name = "cursor")]
    [Description("The nextCursor of the page before; absent for the first page.")]
    public string? Cursor { get; set; }

    [FromQuery(Name = "limit")]
    [Description("The most jobs on the page, 1 to 1000; 50 when absent.")]
    public string? Limit { get; set; }

    /// <summary>The filter part, for the shared parser.</summary>
    public AdminFilterQuery Filter => this;
}
