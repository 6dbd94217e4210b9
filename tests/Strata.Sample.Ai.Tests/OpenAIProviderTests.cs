using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;

namespace Strata.Sample.Ai.Tests;

public sealed class OpenAIProviderTests : IAsyncLifetime
{
    private const string ApiKey = "sk-test-0123456789-secret";
    private const string Text = "The new release is fast and reliable. Customers praised the onboarding.";

    private LoopbackOpenAIServer _server = null!;
    private ServiceProvider _services = null!;

    public async Task InitializeAsync()
    {
        _server = await LoopbackOpenAIServer.StartAsync();
        _services = AiTestServices.Build(new Dictionary<string, string?>
        {
            ["Ai:Provider"] = "OpenAI",
            ["Ai:OpenAI:Endpoint"] = _server.Endpoint,
            ["Ai:OpenAI:Model"] = "test-model-mini",
            ["Ai:OpenAI:ApiKey"] = ApiKey,
        });
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Request_carries_the_model_the_text_the_instructions_and_the_api_key_as_bearer_token()
    {
        _server.Reply = _ => (200, LoopbackOpenAIServer.Completion(
            LoopbackOpenAIServer.Analysis("The new release is fast and reliable.", ["release", "customers"], "positive", 0.8)));

        await _services.Analyzer().AnalyzeAsync(Text);

        var request = _server.Requests.Should().ContainSingle().Which;
        request.Path.Should().Be("/v1/chat/completions");
        request.Authorization.Should().Be($"Bearer {ApiKey}");
        request.Body["model"]!.GetValue<string>().Should().Be("test-model-mini");
        var messages = request.Body["messages"]!.AsArray();
        messages.Select(message => message!["role"]!.GetValue<string>()).Should().Equal("system", "user");
        messages[0]!["content"]!.ToJsonString().Should().Contain("JSON").And.Contain("sentimentScore");
        messages[1]!["content"]!.ToJsonString().Should().Contain(Text);
        request.Body["response_format"]!["type"]!.GetValue<string>().Should().Be("json_object");
        request.Body["temperature"]!.GetValue<double>().Should().Be(0);
    }

    [Fact]
    public async Task Reply_is_parsed_into_the_analysis_with_the_token_count_from_the_counter()
    {
        _server.Reply = _ => (200, LoopbackOpenAIServer.Completion(
            LoopbackOpenAIServer.Analysis("Customers praised the onboarding.", ["onboarding", "release", " Release ", ""], "Positive", 0.75)));

        var analysis = await _services.Analyzer().AnalyzeAsync(Text);

        analysis.Summary.Should().Be("Customers praised the onboarding.");
        analysis.Keywords.Should().Equal("onboarding", "release");
        analysis.Sentiment.Should().Be(Sentiments.Positive);
        analysis.SentimentScore.Should().Be(0.75);
        analysis.TokenCount.Should().Be(_services.GetRequiredService<ITokenCounter>().CountTokens(Text));
    }

    [Fact]
    public async Task Reply_wrapped_in_a_markdown_code_fence_is_parsed()
    {
        var json = LoopbackOpenAIServer.Analysis("Fast and reliable.", ["release"], "neutral", 0);
        _server.Reply = _ => (200, LoopbackOpenAIServer.Completion($"```json\n{json}\n```"));

        var analysis = await _services.Analyzer().AnalyzeAsync(Text);

        analysis.Summary.Should().Be("Fast and reliable.");
        analysis.Sentiment.Should().Be(Sentiments.Neutral);
    }

    [Theory]
    [InlineData("Sure! Here is my analysis: the text is positive.", "not a JSON object")]
    [InlineData("""{"summary": "ok", "keywords": [], "sentiment": "ecstatic", "sentimentScore": 0.5}""", "\"sentiment\"")]
    [InlineData("""{"summary": "ok", "keywords": [], "sentiment": "positive", "sentimentScore": 7}""", "\"sentimentScore\"")]
    [InlineData("""{"keywords": ["a"], "sentiment": "positive", "sentimentScore": 0.5}""", "\"summary\"")]
    [InlineData("""{"summary": "ok", "keywords": "not-a-list", "sentiment": "positive", "sentimentScore": 0.5}""", "not a JSON object")]
    [InlineData("[1, 2, 3]", "not a JSON object")]
    public async Task Reply_that_is_not_an_analysis_throws_a_clear_exception_without_the_reply(string content, string problem)
    {
        _server.Reply = _ => (200, LoopbackOpenAIServer.Completion(content));

        var act = async () => await _services.Analyzer().AnalyzeAsync(Text);

        var exception = (await act.Should().ThrowAsync<DocumentAnalysisException>()).Which;
        exception.Message.Should().StartWith("The AI model's reply could not be used as an analysis").And.Contain(problem);
        exception.ToString().Should().NotContain(content).And.NotContain(ApiKey).And.NotContain(Text);
        exception.InnerException.Should().BeNull("a JsonException's message would quote the reply");
    }

    [Fact]
    public async Task Reply_of_json_null_throws_a_clear_exception()
    {
        _server.Reply = _ => (200, LoopbackOpenAIServer.Completion("null"));

        var act = async () => await _services.Analyzer().AnalyzeAsync(Text);

        (await act.Should().ThrowAsync<DocumentAnalysisException>()).Which.Message.Should().EndWith("it is empty or JSON null.");
    }

    [Fact]
    public async Task Endpoint_rejecting_the_key_throws_a_clear_exception_without_the_key_in_message_or_logs()
    {
        // Some servers echo the key they rejected; the exception and the logs must not carry it on.
        _server.Reply = request => (401, $$$"""{"error": {"message": "Incorrect API key provided: {{{request.Authorization}}}", "type": "invalid_request_error", "code": "invalid_api_key"}}""");

        var act = async () => await _services.Analyzer().AnalyzeAsync(Text);

        var exception = (await act.Should().ThrowAsync<DocumentAnalysisException>()).Which;
        exception.Message.Should().Be("The AI model (openai) failed: the endpoint answered HTTP 401.");
        exception.ToString().Should().NotContain(ApiKey);
        var logs = _services.Logs().GetSnapshot();
        logs.Should().Contain(record => record.Id.Name == "ModelFailed");
        logs.Should().NotContain(record => record.Message.Contains(ApiKey, StringComparison.Ordinal)
            || (record.Exception != null && record.Exception.ToString().Contains(ApiKey, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_host_registered_OpenAI_chat_client_gets_its_errors_cleaned_by_the_analyzer()
    {
        _server.Reply = request => (401, $$$"""{"error": {"message": "Incorrect API key provided: {{{request.Authorization}}}"}}""");
        var openAI = new OpenAIClient(new ApiKeyCredential(ApiKey), new OpenAIClientOptions
        {
            Endpoint = new Uri(_server.Endpoint),
            RetryPolicy = new ClientRetryPolicy(0),
        });
        using var services = AiTestServices.Build(configure: services => services.AddSingleton(openAI.GetChatClient("host-model").AsIChatClient()));

        var act = async () => await services.Analyzer().AnalyzeAsync(Text);

        var exception = (await act.Should().ThrowAsync<DocumentAnalysisException>()).Which;
        exception.Message.Should().Be("The AI model (openai) failed: the endpoint answered HTTP 401.");
        exception.ToString().Should().NotContain(ApiKey);
        services.Logs().GetSnapshot().Should().ContainSingle(record => record.Id.Name == "ModelFailed")
            .Which.Message.Should().Be("Analysis failed (openai): The AI model (openai) failed: the endpoint answered HTTP 401.");
    }

    [Fact]
    public async Task Unreachable_endpoint_throws_a_clear_exception()
    {
        var endpoint = _server.Endpoint;
        await _server.DisposeAsync();
        _server = await LoopbackOpenAIServer.StartAsync();
        using var services = AiTestServices.Build(new Dictionary<string, string?>
        {
            ["Ai:Provider"] = "OpenAI",
            ["Ai:OpenAI:Endpoint"] = endpoint,
            ["Ai:OpenAI:ApiKey"] = ApiKey,
        });

        var act = async () => await services.Analyzer().AnalyzeAsync(Text);

        var exception = (await act.Should().ThrowAsync<DocumentAnalysisException>()).Which;
        exception.Message.Should().StartWith("The AI model (openai) failed: the endpoint could not be reached");
        exception.ToString().Should().NotContain(ApiKey);
    }

    [Fact]
    public async Task Endpoint_slower_than_the_timeout_throws_a_clear_exception_after_the_configured_retries()
    {
        _server.Delay = TimeSpan.FromSeconds(30);
        using var services = AiTestServices.Build(new Dictionary<string, string?>
        {
            ["Ai:Provider"] = "OpenAI",
            ["Ai:OpenAI:Endpoint"] = _server.Endpoint,
            ["Ai:OpenAI:Timeout"] = "00:00:01",
            ["Ai:OpenAI:MaxRetries"] = "1",
        });

        var act = async () => await services.Analyzer().AnalyzeAsync(Text);

        (await act.Should().ThrowAsync<DocumentAnalysisException>())
            .Which.Message.Should().Be("The AI model (openai) failed: the endpoint did not answer in time.");
        _server.Requests.Should().HaveCount(2, "one attempt and one retry");
    }

    [Fact]
    public async Task Server_errors_are_retried_up_to_MaxRetries()
    {
        _server.Reply = _ => (503, """{"error": {"message": "overloaded"}}""");
        using var services = AiTestServices.Build(new Dictionary<string, string?>
        {
            ["Ai:Provider"] = "OpenAI",
            ["Ai:OpenAI:Endpoint"] = _server.Endpoint,
            ["Ai:OpenAI:MaxRetries"] = "1",
        });

        var act = async () => await services.Analyzer().AnalyzeAsync(Text);

        (await act.Should().ThrowAsync<DocumentAnalysisException>()).Which.Message.Should().EndWith("HTTP 503.");
        _server.Requests.Should().HaveCount(2);
    }

    [Fact]
    public async Task Endpoint_with_a_trailing_slash_reaches_the_same_chat_completions_path()
    {
        _server.Reply = _ => (200, LoopbackOpenAIServer.Completion(LoopbackOpenAIServer.Analysis("Fast.", [], "neutral", 0)));
        using var services = AiTestServices.Build(new Dictionary<string, string?>
        {
            ["Ai:Provider"] = "OpenAI",
            ["Ai:OpenAI:Endpoint"] = _server.Endpoint + "/",
        });

        await services.Analyzer().AnalyzeAsync(Text);

        _server.Requests.Should().ContainSingle().Which.Path.Should().Be("/v1/chat/completions");
    }

    [Fact]
    public async Task Streaming_from_the_registered_chat_client_also_hides_the_endpoint_error()
    {
        _server.Reply = request => (403, $"{{\"error\": {{\"message\": \"key {request.Authorization} is blocked\"}}}}");
        var chat = _services.GetRequiredService<IChatClient>();

        var act = async () =>
        {
            await foreach (var update in chat.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, Text)]))
            {
                update.Should().NotBeNull();
            }
        };

        var exception = (await act.Should().ThrowAsync<DocumentAnalysisException>()).Which;
        exception.Message.Should().Be("The AI model (openai) failed: the endpoint answered HTTP 403.");
        exception.ToString().Should().NotContain(ApiKey);
    }

    [Fact]
    public void Chat_client_of_the_OpenAI_provider_reports_the_configured_model()
    {
        var metadata = _services.GetRequiredService<IChatClient>().GetService<ChatClientMetadata>();

        metadata!.DefaultModelId.Should().Be("test-model-mini");
        metadata.ProviderName.Should().Be("openai");
    }
}
