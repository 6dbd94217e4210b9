using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Strata.ApiKeys.OpenApi.Tests;

/// <summary>A small key-protected app and its OpenAPI document, for the approved-document and transformer tests.</summary>
internal static class DocumentHost
{
    /// <summary>The document's JSON text; <paramref name="configure"/> runs before AddApiKeySecurityScheme (the app's own transformers).</summary>
    public static async Task<string> JsonAsync(Action<OpenApiOptions>? configure = null, Microsoft.OpenApi.OpenApiSpecVersion? version = null)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddOpenApi(options =>
        {
            configure?.Invoke(options);
            options.AddApiKeySecurityScheme();
            options.OpenApiVersion = version ?? options.OpenApiVersion;
        });
        builder.Services.AddAuthentication(ApiKeyDefaults.AuthenticationScheme).AddApiKey(o =>
        {
            o.Prefix = "sk_live";
            o.Realm = "strata";
        });
        builder.Services.AddAuthorization(o => o.AddPolicy("admin", policy => policy.RequireScope("admin")));
        builder.Services.AddStrataApiKeys().UseInMemoryStore();
        await using var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapOpenApi();
        app.MapGet("/health", () => "ok");
        app.MapPost("/jobs", () => "queued").RequireScope("jobs:write");
        app.MapGet("/reports", () => "report").RequireAuthorization(policy => policy.RequireScope("reports:read", "reports:export"));
        app.MapGet("/admin", () => "admin").RequireAuthorization("admin");
        app.MapGet("/admin/jobs", () => "admin jobs").RequireAuthorization("admin").RequireScope("jobs:write", "admin");
        app.MapGet("/tagged", () => "tagged").RequireScope("jobs:write").WithMetadata(new ScopeMetadata("jobs:read", "jobs:write"));
        app.MapGet("/unregistered", () => "unregistered").RequireAuthorization("no-such-policy").RequireScope("audit:read");
        app.MapGet("/me", () => "me").RequireAuthorization();
        app.MapGet("/anonymous", () => "hi").RequireScope("jobs:write").AllowAnonymous();
        app.MapGet("/excluded", () => "hi").RequireScope("jobs:write").ExcludeFromApiKeyDescription();
        await app.StartAsync();

        var json = await app.GetTestClient().GetStringAsync("/openapi/v1.json");
        await app.StopAsync();
        return json;
    }

    /// <summary>The document, parsed.</summary>
    public static async Task<JsonElement> DocumentAsync(Action<OpenApiOptions>? configure = null, Microsoft.OpenApi.OpenApiSpecVersion? version = null)
    {
        using var document = JsonDocument.Parse(await JsonAsync(configure, version));
        return document.RootElement.Clone();
    }

    public static JsonElement Operation(JsonElement root, string path, string method) =>
        root.GetProperty("paths").GetProperty(path).GetProperty(method);
}
