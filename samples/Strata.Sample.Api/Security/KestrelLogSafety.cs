using Microsoft.Extensions.Options;

namespace Strata.Sample.Api.Security;

/// <summary>
/// Keeps API keys out of Kestrel's bad-request log. At Debug, Kestrel's <c>BadRequests</c> category writes the raw
/// header line it refused (<c>Invalid request header: 'X-Api-Key sk_sample_...'</c>), so a client that sends its key in
/// a malformed header line (a missing colon, a stray carriage return) would have the whole key in the log once someone
/// turns logging up to Debug. This caps that one category at Information for every logging provider, whatever the
/// configuration says: the 400 answer and Kestrel's connection logs are unchanged, only the line with the raw bytes goes.
/// </summary>
internal static class KestrelLogSafety
{
    /// <summary>Kestrel's category for requests it refuses while parsing (the line logged at Debug quotes the bytes).</summary>
    public const string BadRequestsCategory = "Microsoft.AspNetCore.Server.Kestrel.BadRequests";

    public static ILoggingBuilder KeepKeysOutOfKestrelLogs(this ILoggingBuilder logging)
    {
        logging.Services.AddSingleton<IPostConfigureOptions<LoggerFilterOptions>, CapBadRequestLog>();
        return logging;
    }

    /// <summary>
    /// Runs after the configuration's rules are in: adds, for the provider-less rules and for every provider that has
    /// rules of its own (a provider-specific rule beats a provider-less one), a rule for the category at the level the
    /// existing rules give it, raised to Information if lower. Added last, it wins over a configured rule for the same
    /// category; a configuration that already asks for Information or more is left as it was.
    /// </summary>
    private sealed class CapBadRequestLog : IPostConfigureOptions<LoggerFilterOptions>
    {
        public void PostConfigure(string? name, LoggerFilterOptions options)
        {
            var providers = options.Rules.Select(rule => rule.ProviderName).Append(null).Distinct(StringComparer.Ordinal).ToList();
            foreach (var provider in providers)
            {
                var level = ConfiguredLevel(options, provider);
                options.Rules.Add(new LoggerFilterRule(provider, BadRequestsCategory, level > LogLevel.Information ? level : LogLevel.Information, filter: null));
            }
        }

        /// <summary>The level the rules give the category for a provider (provider-specific first, then the longest category, the last of equals).</summary>
        private static LogLevel ConfiguredLevel(LoggerFilterOptions options, string? provider)
        {
            LoggerFilterRule? best = null;
            foreach (var rule in options.Rules)
            {
                var providerMatches = rule.ProviderName is null || string.Equals(rule.ProviderName, provider, StringComparison.Ordinal);
                var categoryMatches = rule.CategoryName is null
                    || (!rule.CategoryName.Contains('*', StringComparison.Ordinal) && BadRequestsCategory.StartsWith(rule.CategoryName, StringComparison.OrdinalIgnoreCase));
                if (!providerMatches || !categoryMatches || rule.Filter is not null || rule.LogLevel is null)
                {
                    continue;
                }

                if (best is null
                    || (rule.ProviderName is not null && best.ProviderName is null)
                    || ((rule.ProviderName is null) == (best.ProviderName is null) && (rule.CategoryName?.Length ?? 0) >= (best.CategoryName?.Length ?? 0)))
                {
                    best = rule;
                }
            }

            return best?.LogLevel ?? options.MinLevel;
        }
    }
}
