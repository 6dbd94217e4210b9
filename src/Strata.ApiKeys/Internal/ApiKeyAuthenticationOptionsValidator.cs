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
