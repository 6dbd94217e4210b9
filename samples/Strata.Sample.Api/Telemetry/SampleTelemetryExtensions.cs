using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Strata.Sample.Processing;

namespace Strata.Sample.Api.Telemetry;

/// <summary>
/// OpenTelemetry traces and metrics: the Strata packages' ActivitySources and Meters (<c>Strata.*</c>), ASP.NET Core,
/// HttpClient, EF Core (spans through the instrumentation package, a beta, and EF Core's meter) and the .NET runtime. Exported over OTLP only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>
/// is set (the exporter reads it and the other standard <c>OTEL_*</c> variables); otherwise nothing leaves the process.
/// </summary>
/// <remarks>
/// Tracing is listened to in every case so the W3C context flows: Strata.Jobs carries the trace of the request that
/// enqueued a job into the job's envelope, and the worker's job span continues it (also across processes), which the
/// handler's log line shows as <c>trace {TraceId}</c>. Log lines carry TraceId and SpanId in their scope.
/// </remarks>
internal static class SampleTelemetryExtensions
{
    public const string StrataSources = "Strata.*";

    public static WebApplicationBuilder AddSampleTelemetry(this WebApplicationBuilder builder)
    {
        var role = builder.Configuration.GetSampleRole().ToString().ToLowerInvariant();
        var exportOtlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName: $"strata-sample-{role}"))
            .WithTracing(tracing => tracing
                .AddSource(StrataSources)
                .AddAspNetCoreInstrumentation(options =>
                    options.Filter = context => !context.Request.Path.StartsWithSegments("/health", StringComparison.Ordinal))
                .AddHttpClientInstrumentation()
                .AddEntityFrameworkCoreInstrumentation())
            .WithMetrics(metrics => metrics
                .AddMeter(StrataSources)
                .AddMeter("Microsoft.EntityFrameworkCore")
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation());

        if (exportOtlp)
        {
            telemetry.UseOtlpExporter();   // traces, metrics and logs
        }

        builder.Logging.Configure(options => options.ActivityTrackingOptions =
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        return builder;
    }
}
