using System.Diagnostics;

namespace Strata.Sample.Ai;

/// <summary>Names of the AI layer's telemetry.</summary>
public static class AiTelemetry
{
    /// <summary>The name of the <see cref="ActivitySource"/> (one span per analysis) and of the chat client's telemetry.</summary>
    public const string SourceName = "Strata.Sample.Ai";

    internal const string AnalyzeActivityName = "analyze document";
    internal const string ProviderTag = "gen_ai.provider.name";
    internal const string ModelTag = "gen_ai.request.model";
    internal const string TokenCountTag = "strata.ai.token_count";
    internal const string SentimentTag = "strata.ai.sentiment";

    internal static readonly ActivitySource ActivitySource = new(SourceName);
}
