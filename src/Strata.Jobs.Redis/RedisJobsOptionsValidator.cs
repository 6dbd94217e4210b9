using Microsoft.Extensions.Options;
using Strata.Redis;

namespace Strata.Jobs.Redis;

/// <summary>Checks <see cref="RedisJobsOptions"/> on start, naming every bad setting.</summary>
internal sealed class RedisJobsOptionsValidator(IServiceProvider services) : IValidateOptions<RedisJobsOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisJobsOptions options)
    {
        var errors = new List<string>();
        RedisConnectionSource.Validate(options, services, nameof(RedisJobsOptions), "AddStrataJobs().UseRedis(...)", errors);

        if (string.IsNullOrEmpty(options.KeyPrefix) || options.KeyPrefix.Contains('{', StringComparison.Ordinal) || options.KeyPrefix.Contains('}', StringComparison.Ordinal))
        {
            errors.Add("RedisJobsOptions.KeyPrefix must be non-empty and contain no '{' or '}' (the queue name is the hash tag).");
        }

        if (string.IsNullOrWhiteSpace(options.ConsumerGroup))
        {
            errors.Add("RedisJobsOptions.ConsumerGroup must be set.");
        }

        if (string.IsNullOrWhiteSpace(options.ConsumerName))
        {
            errors.Add("RedisJobsOptions.ConsumerName must be set.");
        }

        if (options.LeaseTime < TimeSpan.FromMilliseconds(300))
        {
            errors.Add($"RedisJobsOptions.LeaseTime must be at least 300 ms (is {options.LeaseTime}).");
        }

        if (options.MaxDeliveries < 1)
        {
            errors.Add($"RedisJobsOptions.MaxDeliveries must be at least 1 (is {options.MaxDeliveries}).");
        }

        if (options.PollInterval <= TimeSpan.Zero)
        {
            errors.Add("RedisJobsOptions.PollInterval must be positive.");
        }

        if (options.DeadLetterMaxLength < 1)
        {
            errors.Add($"RedisJobsOptions.DeadLetterMaxLength must be at least 1 (is {options.DeadLetterMaxLength}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
