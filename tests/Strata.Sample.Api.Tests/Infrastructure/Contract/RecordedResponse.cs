namespace Strata.Sample.Api.Tests.Infrastructure.Contract;

/// <summary>One response as a test received it: the request's method and path, and the status, headers and body.</summary>
/// <param name="Method">The request's method.</param>
/// <param name="Path">The request's path, without the query.</param>
/// <param name="Status">The response's status code.</param>
/// <param name="Headers">Response and content headers, names case-insensitive.</param>
/// <param name="MediaType">The Content-Type's media type without parameters, or null without a body.</param>
/// <param name="Body">The body, for JSON media types only; null otherwise.</param>
public sealed record RecordedResponse(
    string Method,
    string Path,
    int Status,
    IReadOnlyDictionary<string, string[]> Headers,
    string? MediaType,
    string? Body)
{
    public override string ToString() => $"{Method} {Path} -> {Status}";
}
