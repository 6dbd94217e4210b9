using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Strata.ApiKeys.Internal;

internal sealed class ApiKeyAuthenticationOptionsValidator : IValidateOptions<ApiKeyAuthenticationOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiKeyAuthenticationOptions options)
    {
        var errors = new List<string>();
        var scheme = name ?? Options.DefaultName;
        if (!ApiKeyFormat.IsValidPrefix(options.Prefix))
        {
            errors.Add($"ApiKeyAuthenticationOptions.Prefix '{options.Prefix}' (scheme '{scheme}') is not valid: use lower-case ASCII letters and digits in '_'-separated parts, starting with a letter, at most {ApiKeyFormat.MaxPrefixLength} characters.");
        }

        if (options.HeaderNames.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add($"ApiKeyAuthenticationOptions.HeaderNames (scheme '{scheme}') contains an empty header name.");
        }

        if (options.HeaderNames.Count == 0 && !options.AllowAuthorizationHeader && !options.AllowBearerToken && string.IsNullOrEmpty(options.QueryParameterName))
        {
            errors.Add($"ApiKeyAuthenticationOptions (scheme '{scheme}') reads the key from nowhere: set HeaderNames, AllowAuthorizationHeader, AllowBearerToken or QueryParameterName.");
        }

        if (options.QueryParameterName is { } query && string.IsNullOrWhiteSpace(query))
        {
            errors.Add($"ApiKeyAuthenticationOptions.QueryParameterName (scheme '{scheme}') is blank: set null to turn it off.");
        }

        if (string.IsNullOrWhiteSpace(options.Realm) || options.Realm.Any(c => c == '"' || c == '\\' || char.IsControl(c)))
        {
            errors.Add($"ApiKeyAuthenticationOptions.Realm (scheme '{scheme}') must be non-empty without quotes, backslashes or control characters.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>Validates the service-wide options and that a store is registered (both AddApiKey and AddStrataApiKeys add this).</summary>
internal sealed class ApiKeysOptionsValidator(IServiceProviderIsService services) : IValidateOptions<ApiKeysOptions>
{
    public const int MinPepperLength = 32;

    public ValidateOptionsResult Validate(string? name, ApiKeysOptions options)
    {
        var errors = new List<string>();
        if (options.Pepper is { } pepper && pepper.Length < MinPepperLength)
        {
            // Never echo the pepper itself.
            errors.Add($"ApiKeysOptions.Pepper must be at least {MinPepperLength} characters (or null for plain SHA-256).");
        }

        if (options.CacheDuration < TimeSpan.Zero)
        {
            errors.Add("ApiKeysOptions.CacheDuration must not be negative (TimeSpan.Zero turns caching off).");
        }

        if (options.NegativeCacheDuration < TimeSpan.Zero)
        {
            errors.Add("ApiKeysOptions.NegativeCacheDuration must not be negative.");
        }

        if (options.LastUsedFlushInterval <= TimeSpan.Zero)
        {
            errors.Add("ApiKeysOptions.LastUsedFlushInterval must be positive.");
        }

        var bruteForce = options.BruteForce;
        if (bruteForce.PermitFailures < 1)
        {
            errors.Add("ApiKeysOptions.BruteForce.PermitFailures must be at least 1.");
        }

        if (bruteForce.Window <= TimeSpan.Zero)
        {
            errors.Add("ApiKeysOptions.BruteForce.Window must be positive.");
        }

        if (bruteForce.MaxTrackedAddresses < 1)
        {
            errors.Add("ApiKeysOptions.BruteForce.MaxTrackedAddresses must be at least 1.");
        }

        if (!services.IsService(typeof(IApiKeyStore)))
        {
            errors.Add(MissingRegistration.NoStore);
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
