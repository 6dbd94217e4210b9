using Microsoft.Extensions.Options;

namespace Strata.RateLimiting.Internal;

/// <summary>Checks overrides on start and on every reload, naming each bad setting.</summary>
internal sealed class StrataRateLimitingOptionsValidator : IValidateOptions<StrataRateLimitingOptions>
{
    public ValidateOptionsResult Validate(string? name, StrataRateLimitingOptions options)
    {
        var errors = new List<string>();
        foreach (var (policy, overrides) in options.Policies)
        {
            if (!RateLimitNames.IsValid(policy))
            {
                errors.Add($"StrataRateLimitingOptions.Policies: '{policy}' is not a valid policy name: 1 to {RateLimitNames.MaximumLength} characters of ASCII letters, digits, '-', '_' or '.'.");
            }

            if (overrides is null)
            {
                continue;
            }

            foreach (var (tier, limit) in overrides.Tiers)
            {
                if (limit < 1)
                {
                    errors.Add($"StrataRateLimitingOptions.Policies[{policy}].Tiers[{tier}] must be at least 1, but is {limit}.");
                }
            }

            foreach (var (partition, limit) in overrides.Partitions)
            {
                if (limit < 1)
                {
                    errors.Add($"StrataRateLimitingOptions.Policies[{policy}].Partitions[{partition}] must be at least 1, but is {limit}.");
                }
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
