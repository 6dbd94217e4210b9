using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.Extensions.Options;

namespace Strata.Sample.Ai;

/// <summary>Validates <see cref="AiOptions"/> on start, reporting every error at once with the setting's name.</summary>
internal sealed class AiOptionsValidator : IValidateOptions<AiOptions>
{
    internal static readonly TimeSpan MaxSimulatedLatency = TimeSpan.FromMinutes(10);
    internal static readonly TimeSpan MinTimeout = TimeSpan.FromSeconds(1);
    internal static readonly TimeSpan MaxTimeout = TimeSpan.FromMinutes(10);

    public ValidateOptionsResult Validate(string? name, AiOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();

        if (!Enum.IsDefined(options.Provider))
        {
            errors.Add($"Ai:Provider must be Offline or OpenAI (is {(int)options.Provider}).");
        }

        if (options.SimulatedLatency < TimeSpan.Zero || options.SimulatedLatency > MaxSimulatedLatency)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture,
                $"Ai:SimulatedLatency must be between 00:00:00 and {MaxSimulatedLatency:c} (is {options.SimulatedLatency:c})."));
        }

        if (options.MaxTextLength < 1)
        {
            errors.Add($"Ai:MaxTextLength must be at least 1 (is {options.MaxTextLength}).");
        }

        if (options.SummarySentences is < 1 or > 20)
        {
            errors.Add($"Ai:SummarySentences must be between 1 and 20 (is {options.SummarySentences}).");
        }

        if (options.MaxKeywords is < 1 or > 50)
        {
            errors.Add($"Ai:MaxKeywords must be between 1 and 50 (is {options.MaxKeywords}).");
        }

        if (options.Provider == AiProvider.OpenAI)
        {
            var endpoint = options.OpenAI?.Endpoint;
            if (string.IsNullOrWhiteSpace(endpoint))
            {
                errors.Add("Ai:OpenAI:Endpoint is required when Ai:Provider is OpenAI (an absolute http or https address, e.g. http://localhost:11434/v1).");
            }
            else if (!TryParseEndpoint(endpoint, out _))
            {
                errors.Add("Ai:OpenAI:Endpoint must be an absolute http or https address.");
            }

            if (string.IsNullOrWhiteSpace(options.OpenAI?.Model))
            {
                errors.Add("Ai:OpenAI:Model is required when Ai:Provider is OpenAI (e.g. gpt-4o-mini).");
            }

            if (options.OpenAI is { } openAI && (openAI.Timeout < MinTimeout || openAI.Timeout > MaxTimeout))
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture,
                    $"Ai:OpenAI:Timeout must be between {MinTimeout:c} and {MaxTimeout:c} (is {openAI.Timeout:c})."));
            }

            if (options.OpenAI is { MaxRetries: < 0 or > 10 })
            {
                errors.Add($"Ai:OpenAI:MaxRetries must be between 0 and 10 (is {options.OpenAI.MaxRetries}).");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static bool TryParseEndpoint(string? value, [NotNullWhen(true)] out Uri? endpoint) =>
        Uri.TryCreate(value, UriKind.Absolute, out endpoint)
        && (endpoint.Scheme == Uri.UriSchemeHttp || endpoint.Scheme == Uri.UriSchemeHttps);
}
