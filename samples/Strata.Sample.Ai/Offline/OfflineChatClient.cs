using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Strata.Sample.Ai.Offline;

/// <summary>
/// An <see cref="IChatClient"/> that answers in process and deterministically: it waits the simulated latency (on the
/// <see cref="TimeProvider"/>, so tests can use a fake clock), analyzes the last user message with the
/// <see cref="OfflineModel"/> and replies with the analysis as a JSON object, like a model asked for JSON would.
/// </summary>
internal sealed class OfflineChatClient : IChatClient
{
    internal const string ProviderName = "strata-offline";
    internal const string ModelName = "strata-offline-lexicon-1";

    private readonly OfflineModel _model;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _latency;
    private readonly int _summarySentences;
    private readonly int _maxKeywords;
    private readonly ChatClientMetadata _metadata = new(ProviderName, providerUri: null, defaultModelId: ModelName);

    public OfflineChatClient(OfflineModel model, AiOptions options, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _model = model;
        _timeProvider = timeProvider;
        _latency = options.SimulatedLatency;
        _summarySentences = options.SummarySentences;
        _maxKeywords = options.MaxKeywords;
    }

    public async Task<ChatResponse> GetResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var text = messages.LastOrDefault(message => message.Role == ChatRole.User)?.Text;
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new ArgumentException("The offline model analyzes the last user message, and there is none with text.", nameof(messages));
        }

        if (_latency > TimeSpan.Zero)
        {
            await Task.Delay(_latency, _timeProvider, cancellationToken).ConfigureAwait(false);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var result = _model.Analyze(text, _summarySentences, _maxKeywords);
        var reply = new AnalysisReply
        {
            Summary = result.Summary,
            Keywords = [.. result.Keywords],
            Sentiment = result.Sentiment,
            SentimentScore = result.SentimentScore,
        };
        var json = JsonSerializer.Serialize(reply, AiJsonContext.Default.AnalysisReply);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, json))
        {
            ModelId = ModelName,
            FinishReason = ChatFinishReason.Stop,
            CreatedAt = _timeProvider.GetUtcNow(),
        };
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        foreach (var update in response.ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        return serviceType == typeof(ChatClientMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    public void Dispose()
    {
        // Nothing to release: the model is shared and immutable.
    }
}
