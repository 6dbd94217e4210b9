using Microsoft.Extensions.Options;

namespace Strata.Sample.Api.Hosting;

/// <summary>Stops the host on start with every malformed entry of <c>Api:ForwardedHeaders</c>.</summary>
internal sealed class SampleForwardedHeadersOptionsValidator : IValidateOptions<SampleForwardedHeadersOptions>
{
    public ValidateOptionsResult Validate(string? name, SampleForwardedHeadersOptions options)
    {
        var problems = options.Problems();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
