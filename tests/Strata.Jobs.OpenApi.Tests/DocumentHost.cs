using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Strata.Jobs.OpenApi.Tests;

/// <summary>An app with job endpoints, the admin endpoints and other endpoints, and its OpenAPI document.</summary>
internal static class DocumentHost
{
    /// <summary>The document's JSON text; <paramref name="configure"/> runs before AddJobEndpointDescriptions (the app's own transformers).</summary>
    public static async Task<string> JsonAsync(Action<OpenApiOptions>? configure = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddProblemDetails();
        builder.Services.AddAuthorization();
        builder.Services.AddOpenApi(options =>
        {
            configure?.Invoke(options);
            options.AddJobEndpointDescriptions();
        });
        builder.Services.AddStrataJobs().AddHandler<EchoJob, EchoHandler>().UseInMemory();
        await using var app = builder.Build();
        app.MapOpenApi();
        app.MapJobEndpoints<EchoJob>("/v1/echo");
        app.MapJobEndpoints<EchoJob>("/v1/quiet").ExcludeFromJobDescription();
        app.MapJobEndpoints<EchoJob>("/v1/no-key", o => o.IdempotencyKeyHeader = null);
        app.MapJobAdminEndpoints("/admin/jobs");
        app.MapPost("/v1/other", () => "not a job");
        await app.StartAsync();

        var json = await app.GetTestClient().GetStringAsync("/openapi/v1.json");
        await app.StopAsync();
        return json;
    }

    /// <summary>The document, parsed.</summary>
    public static async Task<JsonElement> DocumentAsync(Action<OpenApiOptions>? configure = null)
    {
        using var document = JsonDocument.Parse(await JsonAsync(configure));
        return document.RootElement.Clone();
    }

    public static JsonElement Operation(JsonElement root, string path, string method) =>
        root.GetProperty("paths").GetProperty(path).GetProperty(method);
}
