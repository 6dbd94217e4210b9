using System.Text.Json.Serialization;

namespace Strata.Jobs;

/// <summary>One page of the admin job search, newest first.</summary>
/// <param name="Jobs">The jobs on the page.</param>
/// <param name="NextCursor">The <c>cursor</c> query parameter for the next page; null on the last page.</param>
internal sealed record AdminJobPage(
    IReadOnlyList<AdminJobView> Jobs,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? NextCursor);
