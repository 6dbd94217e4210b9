using System.ClientModel;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Strata.Sample.Ai;

/// <summary>
/// Sits right above a remote model's client and turns its failures into a <see cref="DocumentAnalysisException"/>
/// whose message is written here, never copied: an endpoint's error body may echo the request (the document, the
/// API key), and everything above (telemetry, logs, the API's response) must not see it. Cancellation passes through.
/// </summary>
internal sealed class EndpointErrorChatClient(IChatClient innerClient, string providerName) : DelegatingChatClient(innerClient)
{
    public override async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        try
        {
            return await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsEndpointFailure(ex, cancellationToken))
        {
            throw Sanitize(ex);
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (updates.ConfigureAwait(false))
        {
            while (true)
            {
                ChatResponseUpdate update;
                try
                {
                    if (!await updates.MoveNextAsync().ConfigureAwait(false))
                    {
                        yield break;
                    }

                    update = updates.Current;
                }
                catch (Exception ex) when (IsEndpointFailure(ex, cancellationToken))
                {
                    throw Sanitize(ex);
                }

                yield return update;
            }
        }
    }

    private static bool IsEndpointFailure(Exception ex, CancellationToken cancellationToken) =>
        ex is not DocumentAnalysisException && !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested);

    private DocumentAnalysisException Sanitize(Exception ex) =>
        new($"The AI model ({providerName}) failed: {Describe(ex)}");

    internal static string Describe(Exception ex)
    {
        // The client library's retries report every attempt's failure together: describe the last one.
        while (ex is AggregateException { InnerExceptions.Count: > 0 } aggregate)
        {
            ex = aggregate.InnerExceptions[^1];
        }

        return ex switch
        {
            ClientResultException { Status: > 0 } result => string.Create(CultureInfo.InvariantCulture, $"the endpoint answered HTTP {result.Status}."),
            ClientResultException or HttpRequestException => "the endpoint could not be reached.",
            OperationCanceledException => "the endpoint did not answer in time.",
            _ => $"{ex.GetType().Name}.",
        };
    }
}
