using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace Strata.ApiKeys.OpenApi.Tests;

public sealed class OpenApiTests
{
    [Fact]
    public async Task Document_declares_the_api_key_scheme_and_requires_it_on_protected_operations_only()
    {
        var root = await DocumentAsync();

        var scheme = root.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        scheme.GetProperty("type").GetString().Should().Be("apiKey");
        scheme.GetProperty("in").GetString().Should().Be("header");
        scheme.GetProperty("name").GetString().Should().Be("X-Api-Key");

        var jobs = Operation(root, "/jobs", "post");
        jobs.GetProperty("security").EnumerateArray().Select(r => r.EnumerateObject().Single().Name).Should().Equal("ApiKey");
        var health = Operation(root, "/health", "get");
        health.TryGetProperty("security", out _).Should().BeFalse();
    }

    [Fact]
    public async Task Security_requirement_lists_the_scopes_of_RequireScope_of_a_policy_and_of_a_named_policy()
    {
        var root = await DocumentAsync();

        Scopes(Operation(root, "/jobs", "post")).Should().Equal("jobs:write");
        Scopes(Operation(root, "/reports", "get")).Should().Equal("reports:read", "reports:export");
        Scopes(Operation(root, "/admin", "get")).Should().Equal("admin");
        Scopes(Operation(root, "/me", "get")).Should().BeEmpty("RequireAuthorization without scopes needs a key, no scope");
    }

    [Fact]
    public async Task Protected_operation_declares_401_with_WWW_Authenticate_and_a_problem_body_with_traceId()
    {
        var root = await DocumentAsync();

        var unauthorized = Operation(root, "/me", "get").GetProperty("responses").GetProperty("401");
        var header = unauthorized.GetProperty("headers").GetProperty("WWW-Authenticate");
        header.GetProperty("required").GetBoolean().Should().BeTrue();
        header.GetProperty("description").GetString().Should().Be("The challenge: ApiKey realm=\"strata\".");
        Ref(unauthorized).Should().Be("#/components/schemas/StrataProblemDetails");
        var problem = root.GetProperty("components").GetProperty("schemas").GetProperty("StrataProblemDetails").GetProperty("properties");
        problem.EnumerateObject().Select(p => p.Name).Should().Equal("type", "title", "status", "detail", "instance", "traceId");
    }

    [Fact]
    public async Task Operation_with_scopes_declares_403_naming_missing_scopes_and_one_without_scopes_does_not()
    {
        var root = await DocumentAsync();

        var forbidden = Operation(root, "/reports", "get").GetProperty("responses").GetProperty("403");
        forbidden.GetProperty("description").GetString().Should().Contain("reports:read, reports:export");
        Ref(forbidden).Should().Be("#/components/schemas/ApiKeyScopeProblemDetails");
        var properties = root.GetProperty("components").GetProperty("schemas").GetProperty("ApiKeyScopeProblemDetails").GetProperty("properties");
        properties.GetProperty("missingScopes").GetProperty("type").GetString().Should().Be("array");
        properties.GetProperty("requiredScopes").GetProperty("items").GetProperty("type").GetString().Should().Be("string");
        Operation(root, "/me", "get").GetProperty("responses").TryGetProperty("403", out _).Should().BeFalse();
    }

    [Fact]
    public async Task Anonymous_and_excluded_endpoints_get_no_requirement_and_no_401()
    {
        var root = await DocumentAsync();

        foreach (var (path, method) in new[] { ("/health", "get"), ("/anonymous", "get"), ("/excluded", "get") })
        {
            var operation = Operation(root, path, method);
            operation.TryGetProperty("security", out _).Should().BeFalse(path);
            operation.GetProperty("responses").EnumerateObject().Select(r => r.Name).Should().Equal(["200"], path);
        }
    }

    [Fact]
    public async Task OpenApi_3_0_document_keeps_the_scopes_out_of_the_requirement_and_in_the_403()
    {
        var root = await DocumentAsync(Microsoft.OpenApi.OpenApiSpecVersion.OpenApi3_0);

        root.GetProperty("openapi").GetString().Should().StartWith("3.0");
        Scopes(Operation(root, "/jobs", "post")).Should().BeEmpty("OpenAPI 3.0 allows scopes on OAuth2 and OpenID Connect requirements only");
        Operation(root, "/jobs", "post").GetProperty("responses").GetProperty("403").GetProperty("description").GetString().Should().Contain("jobs:write");
    }

    [Fact]
    public async Task Calling_AddApiKeySecurityScheme_twice_gives_the_same_document()
    {
        var once = await DocumentAsync();

        var twice = await DocumentAsync(calls: 2);

        twice.GetRawText().Should().Be(once.GetRawText());
    }

    [Fact]
    public void Blank_header_or_scheme_name_is_refused()
    {
        var options = new Microsoft.AspNetCore.OpenApi.OpenApiOptions();

        FluentActions.Invoking(() => options.AddApiKeySecurityScheme(headerName: " ")).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => options.AddApiKeySecurityScheme(schemeName: "")).Should().Throw<ArgumentException>();
    }

    // The app of DocumentHost; calls > 1 adds the scheme that many times in all (the app's own call first).
    private static Task<JsonElement> DocumentAsync(Microsoft.OpenApi.OpenApiSpecVersion? version = null, int calls = 1) =>
        DocumentHost.DocumentAsync(
            options =>
            {
                for (var i = 1; i < calls; i++)
                {
                    options.AddApiKeySecurityScheme();
                }
            },
            version);

    private static JsonElement Operation(JsonElement root, string path, string method) => DocumentHost.Operation(root, path, method);

    private static string[] Scopes(JsonElement operation) =>
        [.. operation.GetProperty("security").EnumerateArray().Single().GetProperty("ApiKey").EnumerateArray().Select(s => s.GetString()!)];

    private static string? Ref(JsonElement response) =>
        response.GetProperty("content").GetProperty("application/problem+json").GetProperty("schema").GetProperty("$ref").GetString();
}
