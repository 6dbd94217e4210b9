using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Strata.ApiKeys.OpenApi.Tests;

public sealed class OpenApiTests
{
    [Fact]
    public async Task Document_declares_the_api_key_scheme_and_requires_it_on_protected_operations_only()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddOpenApi(options => options.AddApiKeySecurityScheme());
        builder.Services.AddAuthentication(ApiKeyDefaults.AuthenticationScheme).AddApiKey(o => o.Prefix = "sk_live");
        builder.Services.AddAuthorization();
        builder.Services.AddStrataApiKeys().UseInMemoryStore();
        await using var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapOpenApi();
        app.MapGet("/health", () => "ok");
        app.MapPost("/jobs", () => "queued").RequireScope("jobs:write");
        await app.StartAsync();

        var json = await app.GetTestClient().GetStringAsync("/openapi/v1.json");
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;

        var scheme = root.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        scheme.GetProperty("type").GetString().Should().Be("apiKey");
        scheme.GetProperty("in").GetString().Should().Be("header");
        scheme.GetProperty("name").GetString().Should().Be("X-Api-Key");

        var jobs = root.GetProperty("paths").GetProperty("/jobs").GetProperty("post");
        jobs.GetProperty("security").EnumerateArray().Select(r => r.EnumerateObject().Single().Name).Should().Equal("ApiKey");
        var health = root.GetProperty("paths").GetProperty("/health").GetProperty("get");
        health.TryGetProperty("security", out _).Should().BeFalse();
    }
}
