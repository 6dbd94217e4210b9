namespace Strata.Sample.Ai;

/// <summary>Which model answers the analysis.</summary>
public enum AiProvider
{
    /// <summary>The offline model: deterministic, in process, no network (the default).</summary>
    Offline = 0,

    /// <summary>An OpenAI-compatible chat-completions endpoint (<see cref="AiOptions.OpenAI"/>).</summary>
    OpenAI = 1,
}

/// <summary>Options of the AI layer, bound from the configuration section <c>"Ai"</c>.</summary>
public sealed class AiOptions
{
    /// <summary>The configuration section the options are bound from.</summary>
    public const string SectionName = "Ai";

    /// <summary>Which model answers.</summary>
    /// <value>Default <see cref="AiProvider.Offline"/>.</value>
    public AiProvider Provider { get; set; } = AiProvider.Offline;

    /// <summary>How long the offline model "thinks" per call, so the sync and async paths differ visibly. Zero turns it off.</summary>
    /// <value>Default 200 ms. Between zero and 10 minutes.</value>
    public TimeSpan SimulatedLatency { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest text, in characters, the analyzer accepts; a longer one is rejected with an <see cref="ArgumentException"/>.</summary>
    /// <value>Default 100 000 characters. At least 1.</value>
    public int MaxTextLength { get; set; } = 100_000;

    /// <summary>How many sentences the summary has at most.</summary>
    /// <value>Default 3. Between 1 and 20.</value>
    public int SummarySentences { get; set; } = 3;

    /// <summary>How many keywords the analysis has at most.</summary>
    /// <value>Default 8. Between 1 and 50.</value>
    public int MaxKeywords { get; set; } = 8;

    /// <summary>The OpenAI-compatible endpoint, used when <see cref="Provider"/> is <see cref="AiProvider.OpenAI"/>.</summary>
    public OpenAIEndpointOptions OpenAI { get; set; } = new();
}

/// <summary>An OpenAI-compatible chat-completions endpoint (section <c>"Ai:OpenAI"</c>).</summary>
public sealed class OpenAIEndpointOptions
{
    /// <summary>The base address, e.g. <c>http://localhost:11434/v1</c>; <c>chat/completions</c> is appended.</summary>
    /// <value>Default none; required when the provider is OpenAI.</value>
    public string? Endpoint { get; set; }

    /// <summary>The model name sent with each request.</summary>
    /// <value>Default <c>gpt-4o-mini</c>.</value>
    public string Model { get; set; } = "gpt-4o-mini";

    /// <summary>How long one attempt may take before it is abandoned (the sync API path waits for it).</summary>
    /// <value>Default 30 seconds. Between 1 second and 10 minutes.</value>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many times a failed attempt (network error, HTTP 408, 429, 5xx) is retried, with exponential backoff.</summary>
    /// <value>Default 2. Between 0 and 10.</value>
    public int MaxRetries { get; set; } = 2;

    /// <summary>The API key, sent as a bearer token. Never logged. Empty is allowed for local servers that need none.</summary>
    /// <value>Default empty.</value>
    public string? ApiKey { get; set; }
}
