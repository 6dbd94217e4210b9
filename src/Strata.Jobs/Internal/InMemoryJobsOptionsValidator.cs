using Microsoft.Extensions.Options;

namespace Strata.Jobs.Internal;

internal sealed class InMemoryJobsOptionsValidator : IValidateOptions<InMemoryJobsOptions>
{
    public ValidateOptionsResult Validate(string? name, InMemoryJobsOptions options) =>
        options.Capacity < 1
            ? ValidateOptionsResult.Fail($"InMemoryJobsOptions.Capacity must be at least 1 (is {options.Capacity}).")
            : ValidateOptionsResult.Success;
}
