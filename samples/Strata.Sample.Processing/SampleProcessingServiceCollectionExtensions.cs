using Microsoft.Extensions.Configuration;
using Strata.Sample.Processing;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the processing layer's own settings; the host wires up Strata.Jobs itself (see its Program.cs).</summary>
public static class SampleProcessingServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="SampleProcessingOptions"/> (section <c>Processing</c>, validated on start), which
    /// <see cref="AnalyzeDocumentHandler"/> reads: only the reliability tests' fault-injection knob, off by default.
    /// </summary>
    public static IServiceCollection AddSampleProcessingOptions(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<SampleProcessingOptions>()
            .Bind(configuration.GetSection(SampleProcessingOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        return services;
    }
}
