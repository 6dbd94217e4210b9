using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Strata.Sample.Ai.Offline;

namespace Strata.Sample.Ai.Tests;

public sealed class RegistrationTests
{
    [Fact]
    public void Calling_AddDocumentAnalysis_twice_registers_each_service_once()
    {
        var configuration = new ConfigurationBuilder().Build();
        var services = new ServiceCollection();

        services.AddDocumentAnalysis(configuration).AddDocumentAnalysis(configuration);

        services.Should().ContainSingle(descriptor => descriptor.ServiceType == typeof(IDocumentAnalyzer));
        services.Should().ContainSingle(descriptor => descriptor.ServiceType == typeof(ITokenCounter));
        services.Should().ContainSingle(descriptor => descriptor.ServiceType == typeof(IChatClient));
        services.Should().ContainSingle(descriptor => descriptor.ServiceType == typeof(DocumentRules));
        services.Should().ContainSingle(descriptor => descriptor.ServiceType == typeof(IValidateOptions<AiOptions>));
        services.Should().ContainSingle(descriptor => descriptor.ServiceType == typeof(IConfigureOptions<AiOptions>));
    }

    [Fact]
    public void Analyzer_token_counter_and_chat_client_are_singletons()
    {
        using var provider = AiTestServices.Build();

        provider.GetRequiredService<IDocumentAnalyzer>().Should().BeSameAs(provider.GetRequiredService<IDocumentAnalyzer>());
        provider.GetRequiredService<ITokenCounter>().Should().BeSameAs(provider.GetRequiredService<ITokenCounter>());
        provider.GetRequiredService<IChatClient>().Should().BeSameAs(provider.GetRequiredService<IChatClient>());
    }

    [Fact]
    public void Null_arguments_throw_ArgumentNullException()
    {
        var configuration = new ConfigurationBuilder().Build();

        FluentActions.Invoking(() => ((IServiceCollection)null!).AddDocumentAnalysis(configuration)).Should().Throw<ArgumentNullException>();
        FluentActions.Invoking(() => new ServiceCollection().AddDocumentAnalysis(null!)).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public async Task A_chat_client_registered_before_is_used_instead_of_the_configured_one()
    {
        var own = new OfflineChatClient(OfflineModel.Shared, new AiOptions { SummarySentences = 1, SimulatedLatency = TimeSpan.Zero }, TimeProvider.System);
        using var provider = AiTestServices.Build(configure: services => services.AddSingleton<IChatClient>(own));

        var analysis = await provider.Analyzer().AnalyzeAsync(SampleTexts.Release);

        provider.GetRequiredService<IChatClient>().Should().BeSameAs(own);
        TextSegmenter.Sentences(analysis.Summary).Should().ContainSingle("the pre-registered client summarises in one sentence, the default in three");
    }
}
