using Microsoft.Extensions.Options;
using Strata.Redis;

namespace Strata.RateLimiting.Redis;

/// <summary>Checks <see cref="RedisRateLimitingOptions"/> on start, naming every bad setting.</summary>
internal sealed class RedisRateLimitingOptionsValidator(IServiceProvider services) : IValidateOptions<RedisRateLimitingOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisRateLimitingOptions options)
    {
        var errors = new List<string>();
        RedisConnectionSource.Validate(options, services, nameof(RedisRateLimitingOptions), "AddStrataRateLimiting().UseRedis(...)", errors);

        if (string.IsNullOrWhiteSpace(options.KeyPrefix) || options.KeyPrefix.AsSpan().IndexOfAny('{', '}') >= 0)
        {
            errors.Add($"RedisRateLimitingOptions.KeyPrefix must be non-empty and contain no '{{' or '}}' (the partition is the key's hash tag), but is '{options.KeyPrefix}'.");
        }

        if (options.CommandTimeout <= TimeSpan.Zero)
        {
            errors.Add($"RedisRateLimitingOptions.CommandTimeout must be positive, but is {options.CommandTimeout}.");
        }

        if (options.FailureThreshold < 1)
        {
            errors.Add($"RedisRateLimitingOptions.FailureThreshold must be at least 1, but is {options.FailureThreshold}.");
        }

        if (options.BreakDuration <= TimeSpan.Zero)
        {
            errors.Add($"RedisRateLimitingOptions.BreakDuration must be positive, but is {options.BreakDuration}.");
        }

        if (options.FallbackNodeCount < 1)
        {
            errors.Add($"RedisRateLimitingOptions.FallbackNodeCount must be at least 1, but is {options.FallbackNodeCount}.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
