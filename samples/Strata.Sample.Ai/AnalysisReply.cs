using System.Text.Json;
using System.Text.Json.Serialization;

namespace Strata.Sample.Ai;

/// <summary>The JSON object a model answers with (the analysis without the token count).</summary>
internal sealed class AnalysisReply
{
    public string? Summary { get; set; }

    public List<string>? Keywords { get; set; }

    public string? Sentiment { get; set; }

    public double? SentimentScore { get; set; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    PropertyNameCaseInsensitive = true,
    AllowTrailingCommas = true,
    ReadCommentHandling = JsonCommentHandling.Skip,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AnalysisReply))]
internal sealed partial class AiJsonContext : JsonSerializerContext;
