using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Strata.ApiKeys.Internal;

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
