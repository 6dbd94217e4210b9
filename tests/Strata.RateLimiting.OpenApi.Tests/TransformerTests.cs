using System.Text.Json;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace Strata.RateLimiting.OpenApi.Tests;

public sealed class TransformerTests
{
    [Fact]
    public async Task Responses_and_headers_the_app_declared_on_a_limited_operation_are_kept()
    {
        var root = await DocumentHost.DocumentAsync(options => options.AddOperationTransformer((operation, context, _) =>
        {
            if (context.Description.RelativePath == "limited")
            {
                operation.Responses!["429"] = new OpenApiResponse
                {
                    Description = "Slow down.",
                    Headers = new Dictionary<string, IOpenApiHeader> { ["X-Trace"] = new OpenApiHeader { Schema = new OpenApiSchema { Type = JsonSchemaType.String } } },
                };
            }

            return Task.CompletedTask;
        }));

        var responses = DocumentHost.Operation(root, "/limited", "get").GetProperty("responses");
        responses.EnumerateObject().Select(r => r.Name).Should().Equal("200", "429");
        Headers(responses.GetProperty("429")).Should().BeEquivalentTo("X-Trace", "Retry-After", "RateLimit-Policy", "RateLimit");
        responses.GetProperty("429").GetProperty("description").GetString().Should().StartWith("Too many requests: policy 'per-key'");
    }

    [Fact]
    public async Task A_503_the_app_declared_with_its_own_description_keeps_it_and_gains_the_fail_closed_reason()
    {
        var root = await DocumentHost.DocumentAsync(options => options.AddOperationTransformer((operation, context, _) =>
        {
            if (context.Description.RelativePath == "closed")
            {
                operation.Responses!["503"] = new OpenApiResponse { Description = "Down for maintenance" };
            }

            return Task.CompletedTask;
        }));

        var unavailable = DocumentHost.Operation(root, "/closed", "get").GetProperty("responses").GetProperty("503");
        unavailable.GetProperty("description").GetString().Should().Be(
            "Down for maintenance. Also when: The rate-limit store cannot decide and policy 'closed' fails closed.");
        Headers(unavailable).Should().Equal("Retry-After", "RateLimit-Policy", "RateLimit");
        unavailable.TryGetProperty("content", out _).Should().BeFalse("the app's own 503 keeps its own body");
    }

    [Fact]
    public async Task Legacy_headers_alone_are_declared_when_the_RateLimit_headers_are_off()
    {
        var root = await DocumentHost.DocumentAsync(settings: o =>
        {
            o.EmitRateLimitHeaders = false;
            o.EmitLegacyHeaders = true;
        });

        var ok = DocumentHost.Operation(root, "/limited", "get").GetProperty("responses").GetProperty("200");
        Headers(ok).Should().Equal("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset");
        Headers(DocumentHost.Operation(root, "/limited", "get").GetProperty("responses").GetProperty("429")).Should().Equal(
            "Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset");
    }

    [Fact]
    public void Null_options_are_refused_naming_the_parameter()
    {
        FluentActions.Invoking(() => ((OpenApiOptions)null!).AddRateLimitDescriptions())
            .Should().Throw<ArgumentNullException>().WithParameterName("options");
    }

    private static string[] Headers(JsonElement response) =>
        [.. response.GetProperty("headers").EnumerateObject().Select(h => h.Name)];
}
