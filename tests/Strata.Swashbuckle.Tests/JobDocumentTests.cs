using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using static Strata.Swashbuckle.Tests.SwaggerDocument;

namespace Strata.Swashbuckle.Tests;

public sealed class JobDocumentTests
{
    // Made anew for each test: a document cached across tests would hide a mutant from the tests Stryker runs for it.
    private static Task<JsonElement> Document => DocumentAsync();

    [Fact]
    public async Task Submit_declares_202_with_Location_and_Retry_After_and_the_Idempotency_Key_header_of_at_most_200_characters()
    {
        var submit = Operation(await Document, "/v1/echo", "post");

        var accepted = submit.GetProperty("responses").GetProperty("202");
        Headers(accepted).Should().Equal("Location", "Retry-After");
        accepted.GetProperty("headers").GetProperty("Location").GetProperty("required").GetBoolean().Should().BeTrue();
        accepted.GetProperty("headers").GetProperty("Retry-After").GetProperty("schema").GetProperty("type").GetString().Should().Be("integer");
        var parameter = submit.GetProperty("parameters").EnumerateArray().Single();
        parameter.GetProperty("name").GetString().Should().Be("Idempotency-Key");
        parameter.GetProperty("in").GetString().Should().Be("header");
        parameter.TryGetProperty("required", out _).Should().BeFalse();
        parameter.GetProperty("schema").GetProperty("maxLength").GetInt32().Should().Be(200);
    }

    [Fact]
    public async Task Problems_are_typed_with_traceId_and_every_503_says_when_to_retry()
    {
        var root = await Document;

        foreach (var (path, method, status) in new[] { ("/v1/echo", "post", "400"), ("/v1/echo/{id}", "get", "404"), ("/v1/echo/{id}", "delete", "409") })
        {
            ProblemRef(Operation(root, path, method).GetProperty("responses").GetProperty(status))
                .Should().Be("#/components/schemas/StrataProblemDetails", $"{method} {path} {status}");
        }

        foreach (var (path, method) in new[] { ("/v1/echo", "post"), ("/v1/echo/{id}", "get"), ("/v1/echo/{id}", "delete") })
        {
            var unavailable = Operation(root, path, method).GetProperty("responses").GetProperty("503");
            unavailable.GetProperty("headers").GetProperty("Retry-After").GetProperty("required").GetBoolean().Should().BeTrue($"{method} {path}");
        }

        root.GetProperty("components").GetProperty("schemas").GetProperty("StrataProblemDetails").GetProperty("properties")
            .TryGetProperty("traceId", out _).Should().BeTrue();
    }

    [Fact]
    public async Task Status_declares_Retry_After_while_unfinished_and_the_job_schema_its_states_by_name()
    {
        var root = await Document;

        var ok = Operation(root, "/v1/echo/{id}", "get").GetProperty("responses").GetProperty("200");
        Headers(ok).Should().Equal("Retry-After");
        ok.GetProperty("headers").GetProperty("Retry-After").TryGetProperty("required", out _).Should().BeFalse("a finished job has none");
        var properties = root.GetProperty("components").GetProperty("schemas").GetProperty("JobInfo").GetProperty("properties");
        properties.GetProperty("state").GetProperty("$ref").GetString().Should().Be("#/components/schemas/JobState");
        var state = root.GetProperty("components").GetProperty("schemas").GetProperty("JobState");
        state.GetProperty("type").GetString().Should().Be("string");
        state.GetProperty("enum").EnumerateArray().Select(e => e.GetString())
            .Should().Equal("Queued", "Scheduled", "Running", "Succeeded", "Failed", "Dead", "Cancelled");
        properties.GetProperty("attempt").GetProperty("type").GetString().Should().Be("integer");
    }

    [Fact]
    public async Task Endpoints_without_the_feature_and_excluded_ones_get_none_of_it()
    {
        var root = await Document;

        Operation(root, "/v1/other", "post").TryGetProperty("parameters", out _).Should().BeFalse();
        Operation(root, "/v1/other", "post").GetProperty("responses").GetProperty("200").TryGetProperty("headers", out _).Should().BeFalse();
        var excluded = Operation(root, "/v1/quiet", "post");
        excluded.TryGetProperty("parameters", out _).Should().BeFalse();
        excluded.GetProperty("responses").GetProperty("202").TryGetProperty("headers", out _).Should().BeFalse();
        Operation(root, "/v1/quiet/{id}", "get").GetProperty("responses").GetProperty("200").TryGetProperty("headers", out _).Should().BeFalse();
        Operation(root, "/v1/no-key", "post").TryGetProperty("parameters", out _).Should().BeFalse("IdempotencyKeyHeader is null");
    }

    [Fact]
    public async Task Calling_AddJobEndpointDescriptions_twice_gives_the_same_document()
    {
        var once = await Document;

        var twice = await DocumentAsync(calls: 2);

        twice.GetRawText().Should().Be(once.GetRawText());
    }

    private static Task<JsonElement> DocumentAsync(int calls = 1) => GetAsync(
        swagger: options =>
        {
            for (var i = 0; i < calls; i++)
            {
                options.AddJobEndpointDescriptions();
            }
        },
        services: builder => builder.Services.AddStrataJobs().AddHandler<EchoJob, EchoHandler>().UseInMemory(),
        endpoints: app =>
        {
            app.MapJobEndpoints<EchoJob>("/v1/echo");
            app.MapJobEndpoints<EchoJob>("/v1/quiet").ExcludeFromJobDescription();
            app.MapJobEndpoints<EchoJob>("/v1/no-key", o => o.IdempotencyKeyHeader = null);
            app.MapPost("/v1/other", () => "not a job");
        });
}
