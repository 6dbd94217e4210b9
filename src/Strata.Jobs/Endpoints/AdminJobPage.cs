using System.Text.Json.Serialization;

namespace Strata.Jobs;

/// <summary>One page of the admin job search, newest first.</summary>
/// <param name="Jobs">The jobs on the page.</param>
/// <param name="NextCursor">The <c>cursor</c> query parameter for the next page; null on the last page.</param>
/// <remarks>Numbers are written and described as numbers only (<see cref="JsonNumberHandling.Strict"/>), whatever the app's JSON options.</remarks>
[JsonNumberHandling(JsonNumberHandling.Strict)]
internal sealed record AdminJobPage(
    IReadOnlyList<AdminJobView> Jobs,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? NextCursor);
