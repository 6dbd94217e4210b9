using System.Collections.Concurrent;

namespace Strata.Sample.Api.Tests.Infrastructure.Contract;

/// <summary>
/// The innermost handler of the factory's HttpClient (after redirects and cookies): records every response the server
/// sends (its JSON body buffered, so the test reads it as before) and checks it against the live document at once. A
/// mismatch that <see cref="ContractAllowances"/> does not allow fails the test that received the response, naming
/// the operation, the status and what differs.
/// </summary>
public sealed class ContractRecorder(ConcurrentQueue<RecordedResponse> responses, Func<Task<OpenApiContract>> contract) : DelegatingHandler
{
    private const int MaxBodyLength = 1 << 20;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        var recorded = await RecordAsync(request, response, cancellationToken);
        responses.Enqueue(recorded);

        var mismatches = (await contract()).Check(recorded).Where(mismatch => !mismatch.IsAllowed).ToList();
        if (mismatches.Count > 0)
        {
            response.Dispose();
            Assert.Fail(
                $"The response {recorded} differs from /openapi/v1.json. Fix the document or the sample; a mismatch expected " +
                $"for now goes into Infrastructure/Contract/ContractAllowances.cs:\n  {string.Join("\n  ", mismatches)}");
        }

        return response;
    }

    private static async Task<RecordedResponse> RecordAsync(HttpRequestMessage request, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        string? body = null;
        if (IsJson(mediaType) && response.Content.Headers.ContentLength is null or <= MaxBodyLength)
        {
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            body = await response.Content.ReadAsStringAsync(cancellationToken);
        }

        var headers = response.Headers.Concat(response.Content.Headers)
            .ToDictionary(header => header.Key, header => header.Value.ToArray(), StringComparer.OrdinalIgnoreCase);
        var hasBody = mediaType is not null || response.Content.Headers.ContentLength > 0;
        return new RecordedResponse(
            request.Method.Method, request.RequestUri!.AbsolutePath, (int)response.StatusCode, headers, hasBody ? mediaType ?? string.Empty : null, body);
    }

    private static bool IsJson(string? mediaType)
        => mediaType is not null && (mediaType == "application/json" || mediaType.EndsWith("+json", StringComparison.Ordinal));
}
