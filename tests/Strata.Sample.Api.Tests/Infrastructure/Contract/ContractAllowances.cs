namespace Strata.Sample.Api.Tests.Infrastructure.Contract;

/// <summary>
/// The one place that says how strict the response check is (<see cref="OpenApiContract"/>): each entry lets one kind
/// of mismatch pass for now. Everything not listed fails the test that received the response. Entries are
/// <c>header {name}</c> (a response header the document does not declare), <c>status {operationId} {code}</c> (a
/// status the operation does not declare), <c>path {prefix}</c> (routes the document leaves out on purpose) and
/// <c>unknown-route 404</c> (the answer to a path that matches no route).
/// Body schemas, media types and declared headers are always enforced; statuses are, as no status entry is listed today.
/// </summary>
public static class ContractAllowances
{
    private static readonly HashSet<string> Allowed = new(StringComparer.OrdinalIgnoreCase)
    {
        // Routes outside the API description: health probes (not described yet), the document itself, the reference
        // page and the dashboard's HTML pages; and the 404 of a route that does not exist (no document can describe it).
        "path /health/",
        "path /openapi/",
        "path /scalar",
        "path /strata",
        "unknown-route 404",
    };

    /// <summary>True when <paramref name="allowance"/> (see <see cref="ContractMismatch.Allowance"/>) is listed.</summary>
    public static bool Allows(string allowance)
        => Allowed.Contains(allowance)
           || (allowance.StartsWith("path ", StringComparison.Ordinal)
               && Allowed.Any(entry => entry.StartsWith("path ", StringComparison.Ordinal) && allowance.StartsWith(entry, StringComparison.Ordinal)));
}
