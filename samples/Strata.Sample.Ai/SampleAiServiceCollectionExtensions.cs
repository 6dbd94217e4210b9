using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OpenAI;
using Strata.Sample.Ai;
using Strata.Sample.Ai.Offline;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the sample's AI layer.</summary>
public static class SampleAiServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="AiOptions"/> to the section <c>"Ai"</c> of <paramref name="configuration"/> (validated on start),
    /// and registers <see cref="IDocumentAnalyzer"/>, <see cref="ITokenCounter"/>, <see cref="DocumentRules"/> and the
    /// <see cref="IChatClient"/> chosen by <see cref="AiOptions.Provider"/> as singletons. Calling it twice is harmless;
    /// an <see cref="IChatClient"/> registered before is used instead of the configured one.
    /// </summary>
    public static IServiceCollection AddDocumentAnalysis(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        if (!services.Any(descriptor => descriptor.ServiceType == typeof(AiServicesMarker)))
        {
            services.AddSingleton<AiServicesMarker>();
            services.AddOptions<AiOptions>().Bind(configuration.GetSection(AiOptions.SectionName)).ValidateOnStart();
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AiOptions>, AiOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ITokenCounter, O200kTokenCounter>();
        services.TryAddSingleton<DocumentRules>();
        services.TryAddSingleton(CreateChatClient);
        services.TryAddSingleton<IDocumentAnalyzer, DocumentAnalyzer>();
        return services;
    }

    private static IChatClient CreateChatClient(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<AiOptions>>().Value;
        IChatClient client = options.Provider switch
        {
            AiProvider.OpenAI => new EndpointErrorChatClient(CreateOpenAIChatClient(options.OpenAI), "openai"),
            _ => new OfflineChatClient(OfflineModel.Shared, options, services.GetRequiredService<TimeProvider>()),
        };

        // A child span and metrics per model call (OpenTelemetry's gen_ai conventions: model, token usage). Message
        // content is never recorded, whatever OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT says, and the
        // analyzer does the logging.
        return client.AsBuilder()
            .UseOpenTelemetry(NullLoggerFactory.Instance, AiTelemetry.SourceName, telemetry => telemetry.EnableSensitiveData = false)
            .Build(services);
    }

    private static IChatClient CreateOpenAIChatClient(OpenAIEndpointOptions options)
    {
        if (!AiOptionsValidator.TryParseEndpoint(options.Endpoint, out var endpoint))
        {
            throw new InvalidOperationException("Ai:OpenAI:Endpoint must be an absolute http or https address.");
        }

        // Local OpenAI-compatible servers often need no key; the client library requires one, so send a placeholder.
        var credential = new ApiKeyCredential(string.IsNullOrEmpty(options.ApiKey) ? "no-key" : options.ApiKey);
        var client = new OpenAIClient(credential, new OpenAIClientOptions
        {
            Endpoint = endpoint,
            NetworkTimeout = options.Timeout,
            RetryPolicy = new ClientRetryPolicy(options.MaxRetries),
        });
        return client.GetChatClient(options.Model).AsIChatClient();
    }

    private sealed class AiServicesMarker;
}
