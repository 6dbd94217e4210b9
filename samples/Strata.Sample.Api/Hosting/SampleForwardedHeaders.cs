using Microsoft.Extensions.Options;

namespace Strata.Sample.Api.Hosting;

/// <summary>
/// Behind a reverse proxy (section <c>Api:ForwardedHeaders</c>, off by default): the client address and scheme come from
/// <c>X-Forwarded-For</c> / <c>X-Forwarded-Proto</c>, read only on connections from the listed proxies and networks, and
/// only the last entry (the one the nearest proxy wrote). The brute-force guard and limits by client address then see
/// the client, not the proxy; a client that sends the headers itself, directly or through the proxy, changes nothing.
/// </summary>
internal static class SampleForwardedHeaders
{
    public const string SectionName = "Api:ForwardedHeaders";

    public static WebApplicationBuilder AddSampleForwardedHeaders(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SampleForwardedHeadersOptions>()
            .Bind(builder.Configuration.GetSection(SectionName))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SampleForwardedHeadersOptions>, SampleForwardedHeadersOptionsValidator>();
        builder.Services.AddOptions<ForwardedHeadersOptions>()
            .Configure<IOptions<SampleForwardedHeadersOptions>>((forwarded, sample) => sample.Value.ApplyTo(forwarded));
        return builder;
    }
}
