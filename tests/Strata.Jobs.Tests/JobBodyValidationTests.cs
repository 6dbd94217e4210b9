using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Strata.Jobs.Backends;

namespace Strata.Jobs.Tests;

/// <summary>
/// What the POST endpoint accepts as a job, over TestServer. Workers are off, so every accepted job stays in its
/// queue: the queue's depth shows whether a request enqueued anything.
/// </summary>
public sealed class JobBodyValidationTests : IAsyncLifetime
{
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    private long Depth => _app.Services.GetRequiredService<IJobBackend>().GetDepth(JobsOptions.DefaultQueueName);

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddProblemDetails();
        builder.Services.AddStrataJobs(o => o.RunWorkers = false)
            .AddHandler<CountWords, CountWordsHandler>()
            .AddJob<Annotated>()
            .AddJob<SourceGenerated>(typeInfo: BodyValidationJsonContext.Default.SourceGenerated);
        _app = builder.Build();
        _app.MapJobEndpoints<CountWords>("/count");
        _app.MapJobEndpoints<CountWords>("/count-lenient", o => o.ValidateRequiredMembers = false);
        _app.MapJobEndpoints<Annotated>("/annotated");
        _app.MapJobEndpoints<SourceGenerated>("/source-generated");
        await _app.StartAsync();
        _client = _app.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Body_missing_a_required_member_gets_400_naming_it_and_enqueues_nothing()
    {
        using var missing = await PostAsync("/count", """{"txt":1}""");
        var depthAfterMissing = Depth;
        using var complete = await PostAsync("/count", """{"text":"three little words"}""");

        missing.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        missing.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = await missing.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("status").GetInt32().Should().Be(400);
        problem.GetProperty("detail").GetString().Should().Contain("CountWords").And.Contain("'text'");
        depthAfterMissing.Should().Be(0);
        complete.StatusCode.Should().Be(HttpStatusCode.Accepted);
        Depth.Should().Be(1, "the complete job is queued, so the depth counts what the endpoint enqueues");
    }

    [Theory]
    [InlineData("{}", "'text'")]
    [InlineData("""{"text":null}""", "$.text")]
    [InlineData("""{"text":5}""", "$.text")]
    [InlineData("""{"text":{"a":1}}""", "$.text")]
    [InlineData("""["text"]""", "CountWords")]
    [InlineData("not json", "not valid JSON")]
    [InlineData("""{"text":"unfinished""", "not valid JSON")]
    [InlineData("", "not valid JSON")]
    [InlineData("null", "not null")]
    public async Task Body_that_is_not_a_valid_job_gets_400_naming_the_problem_and_enqueues_nothing(string body, string named)
    {
        using var response = await PostAsync("/count", body);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("title").GetString().Should().Be("Invalid job");
        problem.GetProperty("detail").GetString().Should().Contain(named).And.NotContain("Strata.Jobs.Tests.", "the caller is told the job's name, not its namespace");
        Depth.Should().Be(0);
    }

    [Fact]
    public async Task Members_with_a_default_value_or_a_nullable_annotation_may_be_left_out_or_null()
    {
        using var leftOut = await PostAsync("/annotated", """{"text":"a"}""");
        using var explicitNull = await PostAsync("/annotated", """{"text":"b","note":null}""");
        using var nullText = await PostAsync("/annotated", """{"text":null}""");

        leftOut.StatusCode.Should().Be(HttpStatusCode.Accepted);
        explicitNull.StatusCode.Should().Be(HttpStatusCode.Accepted);
        nullText.StatusCode.Should().Be(HttpStatusCode.BadRequest, "Text is not nullable");
        Depth.Should().Be(2);
    }

    [Fact]
    public async Task Source_generated_metadata_given_to_AddJob_is_held_to_the_same_rules()
    {
        using var missing = await PostAsync("/source-generated", """{"txt":1}""");
        using var complete = await PostAsync("/source-generated", """{"text":"a"}""");

        missing.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await missing.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString().Should().Contain("'text'");
        complete.StatusCode.Should().Be(HttpStatusCode.Accepted);
        Depth.Should().Be(1);
    }

    [Fact]
    public async Task With_ValidateRequiredMembers_off_a_missing_member_is_enqueued_but_a_body_that_is_not_JSON_is_still_400()
    {
        using var missing = await PostAsync("/count-lenient", """{"txt":1}""");
        using var notJson = await PostAsync("/count-lenient", "not json");

        missing.StatusCode.Should().Be(HttpStatusCode.Accepted);
        notJson.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        Depth.Should().Be(1);
    }

    [Fact]
    public async Task Jobs_enqueued_from_code_are_not_held_to_the_endpoint_rules()
    {
        var queue = _app.Services.GetRequiredService<IJobQueue>();

        var id = await queue.EnqueueAsync(new CountWords(null!));

        (await _app.Services.GetRequiredService<IJobStore>().GetAsync(id))!.State.Should().Be(JobState.Queued);
        Depth.Should().Be(1);
    }

    [Fact]
    public void The_contract_modifier_used_on_NET_8_requires_constructor_parameters_without_a_default_value()
    {
        // Run here on .NET 10 with RespectRequiredConstructorParameters off (its default), so only the modifier acts.
        var reflection = new JsonSerializerOptions(JsonSerializerDefaults.Web) { TypeInfoResolver = StrictJobJson.RequireConstructorParameters(new DefaultJsonTypeInfoResolver()) };
        var sourceGenerated = new JsonSerializerOptions(JsonSerializerDefaults.Web) { TypeInfoResolver = StrictJobJson.RequireConstructorParameters(BodyValidationJsonContext.Default) };
        var plain = new JsonSerializerOptions(JsonSerializerDefaults.Web);

        var missing = () => JsonSerializer.Deserialize<CountWords>("""{"txt":1}""", reflection);
        var missingSourceGenerated = () => JsonSerializer.Deserialize<SourceGenerated>("""{"txt":1}""", sourceGenerated);
        var optionalLeftOut = JsonSerializer.Deserialize<Annotated>("""{"text":"a"}""", reflection);

        missing.Should().Throw<JsonException>().WithMessage("*'text'*");
        missingSourceGenerated.Should().Throw<JsonException>().WithMessage("*'text'*");
        optionalLeftOut.Should().Be(new Annotated("a"));
        JsonSerializer.Deserialize<CountWords>("""{"txt":1}""", plain).Should().Be(new CountWords(null!), "without the modifier the member is silently left null");
    }

    private Task<HttpResponseMessage> PostAsync(string path, string json) =>
        _client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
}

public sealed record CountWords(string Text);

public sealed record Annotated(string Text, string? Note = null, int Count = 1);

public sealed record SourceGenerated(string Text);

public sealed class CountWordsHandler : IJobHandler<CountWords>
{
    public Task HandleAsync(CountWords job, JobContext context) => Task.CompletedTask;
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(SourceGenerated))]
internal sealed partial class BodyValidationJsonContext : JsonSerializerContext;
