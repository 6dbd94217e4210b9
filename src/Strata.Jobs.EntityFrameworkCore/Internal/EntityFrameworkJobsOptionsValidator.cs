using Microsoft.Extensions.Options;

namespace Strata.Jobs.EntityFrameworkCore.Internal;

internal sealed class EntityFrameworkJobsOptionsValidator : IValidateOptions<EntityFrameworkJobsOptions>
{
    public ValidateOptionsResult Validate(string? name, EntityFrameworkJobsOptions options)
    {
        var errors = new List<string>();
        if (options.PollInterval <= TimeSpan.Zero)
        {
            errors.Add($"EntityFrameworkJobsOptions.PollInterval must be positive (is {options.PollInterval}).");
        }

        if (options.LeaseTime < TimeSpan.FromSeconds(1))
        {
            errors.Add($"EntityFrameworkJobsOptions.LeaseTime must be at least 1 second (is {options.LeaseTime}): a worker renews its leases every third of it.");
        }

        if (options.MaxDeliveries < 1)
        {
            errors.Add($"EntityFrameworkJobsOptions.MaxDeliveries must be at least 1 (is {options.MaxDeliveries}).");
        }

        if (options.ReceiveBatchSize < 1)
        {
            errors.Add($"EntityFrameworkJobsOptions.ReceiveBatchSize must be at least 1 (is {options.ReceiveBatchSize}).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
