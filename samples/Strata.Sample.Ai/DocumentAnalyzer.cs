using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Strata.Sample.Ai;

/// <summary>
/// Analyzes documents by asking an <see cref="IChatClient"/> for a JSON analysis and parsing its reply. The token count
/// comes from <see cref="ITokenCounter"/>, not from the model, so it is the same whichever model answers.
/// </summary>
internal sealed partial class DocumentAnalyzer : IDocumentAnalyzer
{
    internal const double TokenizedProgress = 0.1;
    internal const double AnsweredProgress = 0.9;

    private readonly IChatClient _chatClient;
    private readonly ITokenCounter _tokenCounter;
    private readonly DocumentRules _rules;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly string _providerName;
    private readonly string? _model;
    private readonly ChatMessage _instructions;
    private readonly ChatOptions _chatOptions;

    public DocumentAnalyzer(
        IChatClient chatClient,
        ITokenCounter tokenCounter,
        DocumentRules rules,
        IOptions<AiOptions> options,
        TimeProvider timeProvider,
        ILogger<DocumentAnalyzer> logger)
    {
        ArgumentNullException.ThrowIfNull(chatClient);
        ArgumentNullException.ThrowIfNull(tokenCounter);
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        _chatClient = chatClient;
        _tokenCounter = tokenCounter;
        _rules = rules;
        _timeProvider = timeProvider;
        _logger = logger;

        var value = options.Value;
        var metadata = chatClient.GetService<ChatClientMetadata>();
        _providerName = metadata?.ProviderName ?? value.Provider.ToString().ToLowerInvariant();
        _model = metadata?.DefaultModelId ?? (value.Provider == AiProvider.OpenAI ? value.OpenAI.Model : null);
        _instructions = new ChatMessage(ChatRole.System, Instructions(value.SummarySentences, value.MaxKeywords));
        _chatOptions = new ChatOptions
        {
            ResponseFormat = ChatResponseFormat.Json,
            Temperature = 0,
        };
    }

    public async ValueTask<DocumentAnalysis> AnalyzeAsync(string text, IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        _rules.Validate(text);
        cancellationToken.ThrowIfCancellationRequested();

        using var activity = AiTelemetry.ActivitySource.StartActivity(AiTelemetry.AnalyzeActivityName, ActivityKind.Internal);
        activity?.SetTag(AiTelemetry.ProviderTag, _providerName);
        activity?.SetTag(AiTelemetry.ModelTag, _model);
        var started = _timeProvider.GetTimestamp();
        try
        {
            var tokenCount = _tokenCounter.CountTokens(text);
            activity?.SetTag(AiTelemetry.TokenCountTag, tokenCount);
            progress?.Report(TokenizedProgress);

            var reply = await AskModelAsync(text, cancellationToken).ConfigureAwait(false);
            progress?.Report(AnsweredProgress);

            var analysis = Parse(reply, tokenCount);
            activity?.SetTag(AiTelemetry.SentimentTag, analysis.Sentiment);
            Log.Analyzed(_logger, tokenCount, _providerName, analysis.Sentiment, _timeProvider.GetElapsedTime(started).TotalMilliseconds);
            progress?.Report(1.0);
            return analysis;
        }
        catch (Exception ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex is OperationCanceledException ? "canceled" : ex.GetType().Name);
            throw;
        }
    }

    private async Task<string> AskModelAsync(string text, CancellationToken cancellationToken)
    {
        ChatResponse response;
        try
        {
            response = await _chatClient
                .GetResponseAsync([_instructions, new ChatMessage(ChatRole.User, text)], _chatOptions.Clone(), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (DocumentAnalysisException ex)
        {
            Log.ModelFailed(_logger, _providerName, ex.Message);
            throw;
        }
        catch (Exception ex)
        {
            // A chat client registered by the host may not clean its errors: build the message here, never copy it
            // (an endpoint's error body may echo the text or the API key).
            var failure = new DocumentAnalysisException($"The AI model ({_providerName}) failed: {EndpointErrorChatClient.Describe(ex)}");
            Log.ModelFailed(_logger, _providerName, failure.Message);
            throw failure;
        }

        return response.Text;
    }

    private DocumentAnalysis Parse(string reply, int tokenCount)
    {
        AnalysisReply? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize(StripCodeFence(reply), AiJsonContext.Default.AnalysisReply);
        }
        catch (JsonException ex)
        {
            // JsonException's message quotes the offending characters: report only where the reply went wrong.
            var where = ex.LineNumber is { } line
                ? string.Create(CultureInfo.InvariantCulture, $" (line {line + 1}, byte {ex.BytePositionInLine + 1})")
                : string.Empty;
            throw InvalidReply($"it is not a JSON object{where}");
        }

        if (parsed is null)
        {
            throw InvalidReply("it is empty or JSON null");
        }

        if (string.IsNullOrWhiteSpace(parsed.Summary))
        {
            throw InvalidReply("\"summary\" is missing or empty");
        }

        var sentiment = parsed.Sentiment?.Trim().ToLowerInvariant();
        if (sentiment is not (Sentiments.Positive or Sentiments.Neutral or Sentiments.Negative))
        {
            throw InvalidReply("\"sentiment\" is missing or not one of positive, neutral, negative");
        }

        if (parsed.SentimentScore is not { } score || double.IsNaN(score) || score is < -1 or > 1)
        {
            throw InvalidReply("\"sentimentScore\" is missing or not a number between -1 and 1");
        }

        var keywords = (parsed.Keywords ?? [])
            .Where(keyword => !string.IsNullOrWhiteSpace(keyword))
            .Select(keyword => keyword.Trim())
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToArray();
        return new DocumentAnalysis(parsed.Summary.Trim(), keywords, sentiment, score, tokenCount);
    }

    private DocumentAnalysisException InvalidReply(string problem)
    {
        Log.InvalidReply(_logger, _providerName, problem);
        return new DocumentAnalysisException($"The AI model's reply could not be used as an analysis: {problem}.");
    }

    // Models asked for JSON sometimes still wrap it in a Markdown code fence.
    private static string StripCodeFence(string reply)
    {
        var trimmed = reply.AsSpan().Trim();
        if (trimmed.StartsWith("```", StringComparison.Ordinal) && trimmed.EndsWith("```", StringComparison.Ordinal) && trimmed.Length >= 6)
        {
            var inner = trimmed[3..^3];
            var newline = inner.IndexOf('\n');
            return (newline >= 0 ? inner[(newline + 1)..] : inner).ToString();
        }

        return trimmed.ToString();
    }

    private static string Instructions(int summarySentences, int maxKeywords) => string.Create(CultureInfo.InvariantCulture, $$"""
        You analyze the document in the user message. Answer with one JSON object and nothing else:
        {"summary": "...", "keywords": ["..."], "sentiment": "positive|neutral|negative", "sentimentScore": 0.0}
        - summary: at most {{summarySentences}} sentences copied from the document, in the document's order.
        - keywords: at most {{maxKeywords}} lower-case words from the document, most relevant first, no stopwords.
        - sentiment: positive, neutral or negative.
        - sentimentScore: a number from -1 (very negative) to 1 (very positive).
        """);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Analyzed a document of {TokenCount} tokens with the {Provider} model: {Sentiment} in {ElapsedMilliseconds} ms.", EventName = "DocumentAnalyzed")]
        public static partial void Analyzed(ILogger logger, int tokenCount, string provider, string sentiment, double elapsedMilliseconds);

        [LoggerMessage(2, LogLevel.Warning, "Analysis failed ({Provider}): {Error}", EventName = "ModelFailed")]
        public static partial void ModelFailed(ILogger logger, string provider, string error);

        [LoggerMessage(3, LogLevel.Warning, "The {Provider} model's reply could not be used as an analysis: {Problem}.", EventName = "InvalidModelReply")]
        public static partial void InvalidReply(ILogger logger, string provider, string problem);
    }
}
