using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Strata.Sample.Ai.Tests;

public sealed class OptionsValidationTests
{
    private static IHost BuildHost(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddDocumentAnalysis(builder.Configuration);
        return builder.Build();
    }

    [Fact]
    public async Task Host_with_the_defaults_starts_with_the_offline_provider()
    {
        using var host = BuildHost([]);

        await host.StartAsync();

        var options = host.Services.GetRequiredService<IOptions<AiOptions>>().Value;
        options.Provider.Should().Be(AiProvider.Offline);
        options.SimulatedLatency.Should().Be(TimeSpan.FromMilliseconds(200));
        options.OpenAI.Model.Should().Be("gpt-4o-mini");
        options.MaxTextLength.Should().Be(100_000);
        host.Services.GetRequiredService<IChatClient>().GetService<ChatClientMetadata>()!.ProviderName.Should().Be("strata-offline");
        await host.StopAsync();
    }

    [Fact]
    public async Task Host_does_not_start_and_names_every_bad_setting_at_once()
    {
        using var host = BuildHost(new()
        {
            ["Ai:Provider"] = "OpenAI",
            ["Ai:OpenAI:Model"] = "",
            ["Ai:SimulatedLatency"] = "-00:00:01",
            ["Ai:MaxTextLength"] = "0",
            ["Ai:SummarySentences"] = "0",
            ["Ai:MaxKeywords"] = "51",
            ["Ai:OpenAI:Timeout"] = "00:00:00",
            ["Ai:OpenAI:MaxRetries"] = "-1",
        });

        var act = () => host.StartAsync();

        var failures = (await act.Should().ThrowAsync<OptionsValidationException>()).Which.Failures.ToList();
        failures.Should().HaveCount(8);
        failures.Should().ContainSingle(failure => failure.StartsWith("Ai:OpenAI:Endpoint is required", StringComparison.Ordinal));
        failures.Should().ContainSingle(failure => failure.StartsWith("Ai:OpenAI:Model is required", StringComparison.Ordinal));
        failures.Should().Contain("Ai:SimulatedLatency must be between 00:00:00 and 00:10:00 (is -00:00:01).");
        failures.Should().ContainSingle(failure => failure.StartsWith("Ai:MaxTextLength must be at least 1", StringComparison.Ordinal));
        failures.Should().ContainSingle(failure => failure.StartsWith("Ai:SummarySentences", StringComparison.Ordinal));
        failures.Should().ContainSingle(failure => failure.StartsWith("Ai:MaxKeywords", StringComparison.Ordinal));
        failures.Should().ContainSingle(failure => failure.StartsWith("Ai:OpenAI:Timeout must be between 00:00:01 and 00:10:00", StringComparison.Ordinal));
        failures.Should().ContainSingle(failure => failure.StartsWith("Ai:OpenAI:MaxRetries must be between 0 and 10", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("not a url")]
    [InlineData("ftp://models.example/v1")]
    [InlineData("/v1")]
    public async Task OpenAI_endpoint_must_be_an_absolute_http_address(string endpoint)
    {
        using var host = BuildHost(new() { ["Ai:Provider"] = "OpenAI", ["Ai:OpenAI:Endpoint"] = endpoint });

        var act = () => host.StartAsync();

        (await act.Should().ThrowAsync<OptionsValidationException>())
            .Which.Failures.Should().Equal("Ai:OpenAI:Endpoint must be an absolute http or https address.");
    }

    [Fact]
    public async Task OpenAI_settings_are_not_required_for_the_offline_provider()
    {
        using var host = BuildHost(new() { ["Ai:Provider"] = "Offline", ["Ai:OpenAI:Endpoint"] = "", ["Ai:OpenAI:Model"] = "" });

        await host.StartAsync();

        host.Services.GetRequiredService<IChatClient>().GetService<ChatClientMetadata>()!.ProviderName.Should().Be("strata-offline");
        var analysis = await host.Services.GetRequiredService<IDocumentAnalyzer>().AnalyzeAsync(SampleTexts.Release);
        using var reference = AiTestServices.Build();
        analysis.Should().BeEquivalentTo(await reference.Analyzer().AnalyzeAsync(SampleTexts.Release), "the empty OpenAI settings change nothing offline");
        analysis.Summary.Should().NotBeNullOrWhiteSpace();
        await host.StopAsync();
    }

    [Fact]
    public async Task Provider_name_is_case_insensitive()
    {
        using var host = BuildHost(new() { ["Ai:Provider"] = "openai", ["Ai:OpenAI:Endpoint"] = "http://127.0.0.1:9/v1" });

        await host.StartAsync();

        host.Services.GetRequiredService<IOptions<AiOptions>>().Value.Provider.Should().Be(AiProvider.OpenAI);
        host.Services.GetRequiredService<IChatClient>().GetService<ChatClientMetadata>()!.ProviderName.Should().Be("openai");
        await host.StopAsync();
    }

    [Fact]
    public async Task Unknown_provider_stops_the_host_with_a_message_naming_the_setting()
    {
        using var host = BuildHost(new() { ["Ai:Provider"] = "Claude" });

        var act = () => host.StartAsync();

        (await act.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().Contain("Ai:Provider").And.Contain("Claude");
    }

    [Fact]
    public async Task The_api_key_is_not_in_the_validation_messages()
    {
        using var host = BuildHost(new() { ["Ai:Provider"] = "OpenAI", ["Ai:OpenAI:ApiKey"] = "sk-validation-secret", ["Ai:OpenAI:Model"] = " " });

        var act = () => host.StartAsync();

        (await act.Should().ThrowAsync<OptionsValidationException>()).Which.ToString().Should().NotContain("sk-validation-secret");
    }
}
