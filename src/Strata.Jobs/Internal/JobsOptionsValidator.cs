using Microsoft.Extensions.Options;

namespace Strata.Jobs.Internal;

internal sealed class JobsOptionsValidator : IValidateOptions<JobsOptions>
{
    public ValidateOptionsResult Validate(string? name, JobsOptions options)
    {
        var errors = new List<string>();
        if (options.Concurrency < 1)
        {
            errors.Add($"JobsOptions.Concurrency must be at least 1 (is {options.Concurrency}).");
        }

        if (options.MaxAttempts < 1)
        {
            errors.Add($"JobsOptions.MaxAttempts must be at least 1 (is {options.MaxAttempts}).");
        }

        if (options.RetryBaseDelay < TimeSpan.Zero || options.RetryMaxDelay < options.RetryBaseDelay)
        {
            errors.Add("JobsOptions.RetryBaseDelay must be zero or more and no greater than JobsOptions.RetryMaxDelay.");
        }

        if (options.RetryJitter is < 0 or > 1 || double.IsNaN(options.RetryJitter))
        {
            errors.Add($"JobsOptions.RetryJitter must be between 0 and 1 (is {options.RetryJitter}).");
        }

        if (options.DefaultTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            errors.Add("JobsOptions.DefaultTimeout must be positive or null.");
        }

        if (options.TimeoutGracePeriod < TimeSpan.Zero)
        {
            errors.Add("JobsOptions.TimeoutGracePeriod must not be negative.");
        }

        if (options.RetentionPeriod <= TimeSpan.Zero)
        {
            errors.Add("JobsOptions.RetentionPeriod must be positive.");
        }

        if (options.IdempotencyKeyLifetime <= TimeSpan.Zero)
        {
            errors.Add("JobsOptions.IdempotencyKeyLifetime must be positive.");
        }

        if (options.ShutdownDrainTimeout is { } drain && drain < TimeSpan.Zero)
        {
            errors.Add("JobsOptions.ShutdownDrainTimeout must not be negative.");
        }

        if (options.SerializerOptions is null)
        {
            errors.Add("JobsOptions.SerializerOptions must not be null.");
        }

        if (string.IsNullOrEmpty(options.DefaultQueue) || !JobsOptionsExtensions.IsValidQueueName(options.DefaultQueue))
        {
            errors.Add($"JobsOptions.DefaultQueue '{options.DefaultQueue}' is not a valid queue name (letters, digits, '-' and '_', at most 64).");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var queue in options.Queues)
        {
            if (queue.Name is null || !JobsOptionsExtensions.IsValidQueueName(queue.Name))
            {
                errors.Add($"Queue name '{queue.Name}' is not valid (letters, digits, '-' and '_', at most 64).");
            }
            else if (!seen.Add(queue.Name))
            {
                errors.Add($"Queue '{queue.Name}' is configured twice.");
            }

            if (queue.Weight < 1)
            {
                errors.Add($"Queue '{queue.Name}': Weight must be at least 1 (is {queue.Weight}).");
            }

            if (queue.MaxConcurrency is < 1)
            {
                errors.Add($"Queue '{queue.Name}': MaxConcurrency must be at least 1 or null (is {queue.MaxConcurrency}).");
            }

            if (queue.FleetMaxConcurrency is < 1)
            {
                errors.Add($"Queue '{queue.Name}': FleetMaxConcurrency must be at least 1 or null (is {queue.FleetMaxConcurrency}).");
            }
        }

        foreach (var (key, limit) in options.RateLimits)
        {
            if (string.IsNullOrWhiteSpace(key))
            {
                errors.Add("JobsOptions.RateLimits has an empty name; name each limit (for example options.RateLimits[\"partner-api\"] = new(10, TimeSpan.FromSeconds(1))).");
            }
            else if (limit is null)
            {
                errors.Add($"JobsOptions.RateLimits['{key}'] is null; give it a JobRateLimit or remove it.");
            }
        }

        if (options.Queues.Count > 0 && !seen.Contains(options.DefaultQueue))
        {
            errors.Add($"JobsOptions.DefaultQueue '{options.DefaultQueue}' is not among the configured queues; add it with AddQueue(\"{options.DefaultQueue}\").");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
