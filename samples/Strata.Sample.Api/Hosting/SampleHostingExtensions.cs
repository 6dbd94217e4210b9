using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Strata.Sample.Api.Endpoints;
using Strata.Sample.Api.Security;

namespace Strata.Sample.Api.Hosting;

/// <summary>The HTTP plumbing every role shares: settings, ProblemDetails, body limits, graceful shutdown, error handling.</summary>
internal static class SampleHostingExtensions
{
    public static WebApplicationBuilder AddSampleHosting(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<SampleApiOptions>()
            .Bind(builder.Configuration.GetSection(SampleApiOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // Errors are RFC 9457 ProblemDetails everywhere: thrown exceptions, empty 4xx/5xx from the framework
        // (malformed JSON, missing body, 415, 404, 405), and the sample's own answers.
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            // The framework's own 400 and 415 say nothing about what to fix; say it. Its 400 is a bare ProblemDetails
            // on an endpoint that takes a body (the only binding that can fail here: query values are read as text);
            // the sample's own validation problems say what is wrong themselves.
            context.ProblemDetails.Detail ??= context.ProblemDetails.Status switch
            {
                StatusCodes.Status400BadRequest when IsBodyBindingFailure(context) => "The request body is missing or is not valid JSON for this endpoint.",
                StatusCodes.Status415UnsupportedMediaType => "Send the body as JSON with Content-Type: application/json.",
                StatusCodes.Status404NotFound => "There is no such route.",
                StatusCodes.Status405MethodNotAllowed => "The route does not take this method.",
                _ => null,
            };
        });

        // Numbers are numbers: the web defaults also read "42" as 42 (AllowReadingFromString), which the OpenAPI
        // document would then have to declare as "integer | string". Strict reading keeps the contract one type.
        builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.NumberHandling = JsonNumberHandling.Strict);

        // Bad input is reported as 400/413/415 by the endpoint itself, never thrown as a 500 (also in Development).
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = false);

        // Kestrel refuses bodies over the limit while reading (chunked bodies included).
        builder.Services.AddOptions<KestrelServerOptions>()
            .Configure<IOptions<SampleApiOptions>>((kestrel, api) => kestrel.Limits.MaxRequestBodySize = api.Value.MaxRequestBodyBytes);

        // Graceful shutdown (SIGTERM): Kestrel stops accepting and lets in-flight requests finish; Strata.Jobs drains
        // running jobs for 80% of this time, then returns them to the queue.
        builder.Services.AddOptions<HostOptions>()
            .Configure<IOptions<SampleApiOptions>>((host, api) => host.ShutdownTimeout = api.Value.ShutdownTimeout);

        // Behind a load balancer, SIGTERM first drains for Api:DrainDelay: ready check 503, Connection: close.
        builder.Services.AddSingleton<ShutdownDrain>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ShutdownDrain>());
        builder.Services.AddHealthChecks().AddCheck<ShutdownDrain>("shutdown", tags: [Endpoints.HealthEndpoints.ReadyTag]);

        // The endpoints' input checks, and where the demo key banner and the CLI print a new key once.
        builder.Services.AddSingleton<DocumentRequestValidator>();
        builder.Services.AddSingleton<SampleConsole>();
        return builder;
    }

    private static bool IsBodyBindingFailure(ProblemDetailsContext context)
        => context.ProblemDetails is not HttpValidationProblemDetails
            && context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<IAcceptsMetadata>() is not null;

    public static WebApplication UseSampleErrorHandling(this WebApplication app)
    {
        app.UseMiddleware<ShutdownDrainMiddleware>();   // Connection: close on every answer while the node drains
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            // A BadHttpRequestException carries the right 4xx (e.g. 413 from Kestrel); Redis out of reach (api and worker
            // roles) is 503; anything else is a bug: 500.
            StatusCodeSelector = exception => exception switch
            {
                Microsoft.AspNetCore.Http.BadHttpRequestException bad => bad.StatusCode,
                _ when RedisOutage.Is(exception) => StatusCodes.Status503ServiceUnavailable,
                _ => StatusCodes.Status500InternalServerError,
            },
        });
        app.UseStatusCodePages();
        app.UseMiddleware<RequestBodyLimitMiddleware>();
        app.UseMiddleware<RequestCharsetMiddleware>();
        return app;
    }
}
