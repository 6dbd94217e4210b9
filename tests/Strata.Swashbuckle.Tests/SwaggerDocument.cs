using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Strata.Swashbuckle.Tests;

/// <summary>A real host on TestServer whose document Swashbuckle makes and serves at <c>/swagger/v1/swagger.json</c>.</summary>
internal static class SwaggerDocument
{
    public static async Task<JsonElement> GetAsync(Action<SwaggerGenOptions> swagger, Action<WebApplicationBuilder> services, Action<WebApplication> endpoints)
    {
        await using var app = await StartAsync(swagger, services, endpoints);
        var json = await app.GetTestClient().GetStringAsync("/swagger/v1/swagger.json");
        await app.StopAsync();
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    public static async Task<WebApplication> StartAsync(Action<SwaggerGenOptions> swagger, Action<WebApplicationBuilder> services, Action<WebApplication> endpoints)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddProblemDetails();
        builder.Services.AddEndpointsApiExplorer();
        builder.Services.AddSwaggerGen(swagger);
        services(builder);
        var app = builder.Build();
        app.UseSwagger();
        endpoints(app);
        await app.StartAsync();
        return app;
    }

    public static JsonElement Operation(JsonElement root, string path, string method) =>
        root.GetProperty("paths").GetProperty(path).GetProperty(method);

    public static string[] Statuses(JsonElement root, string path, string method) =>
        [.. Operation(root, path, method).GetProperty("responses").EnumerateObject().Select(r => r.Name).Order(StringComparer.Ordinal)];

    public static string[] Headers(JsonElement response) =>
        [.. response.GetProperty("headers").EnumerateObject().Select(h => h.Name)];

    public static string? ProblemRef(JsonElement response) =>
        response.GetProperty("content").GetProperty("application/problem+json").GetProperty("schema").GetProperty("$ref").GetString();
}
