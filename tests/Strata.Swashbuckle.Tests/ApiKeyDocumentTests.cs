using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Strata.ApiKeys;
using Swashbuckle.AspNetCore.Swagger;
using Swashbuckle.AspNetCore.SwaggerGen;
using static Strata.Swashbuckle.Tests.SwaggerDocument;

namespace Strata.Swashbuckle.Tests;

public sealed class ApiKeyDocumentTests
{
    [Fact]
    public async Task Document_declares_the_api_key_scheme_and_requires_it_on_protected_operations_only()
    {
        var root = await DocumentAsync();

        var scheme = root.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        scheme.GetProperty("type").GetString().Should().Be("apiKey");
        scheme.GetProperty("in").GetString().Should().Be("header");
        scheme.GetProperty("name").GetString().Should().Be("X-Api-Key");
        Operation(root, "/jobs", "post").GetProperty("security").EnumerateArray().Select(r => r.EnumerateObject().Single().Name).Should().Equal("ApiKey");
        Operation(root, "/health", "get").TryGetProperty("security", out _).Should().BeFalse();
    }

    [Fact]
    public async Task In_OpenAPI_3_1_the_requirement_lists_the_scopes_of_RequireScope_of_a_policy_and_of_a_named_policy()
    {
        var root = await DocumentAsync(OpenApiSpecVersion.OpenApi3_1);

        root.GetProperty("openapi").GetString().Should().StartWith("3.1");
        Scopes(Operation(root, "/jobs", "post")).Should().Equal("jobs:write");
        Scopes(Operation(root, "/reports", "get")).Should().Equal("reports:read", "reports:export");
        Scopes(Operation(root, "/admin", "get")).Should().Equal("admin");
        Scopes(Operation(root, "/me", "get")).Should().BeEmpty("RequireAuthorization without scopes needs a key, no scope");
    }

    [Fact]
    public async Task In_Swashbuckles_default_OpenAPI_3_0_the_scopes_stay_out_of_the_requirement_and_in_the_403()
    {
        var root = await DocumentAsync();

        root.GetProperty("openapi").GetString().Should().StartWith("3.0");
        Scopes(Operation(root, "/jobs", "post")).Should().BeEmpty("OpenAPI 3.0 allows scopes on OAuth2 and OpenID Connect requirements only");
        Operation(root, "/jobs", "post").GetProperty("responses").GetProperty("403").GetProperty("description").GetString().Should().Contain("jobs:write");
    }

    [Fact]
    public async Task Protected_operation_declares_401_with_WWW_Authenticate_and_a_problem_body_with_traceId()
    {
        var root = await DocumentAsync();

        var unauthorized = Operation(root, "/me", "get").GetProperty("responses").GetProperty("401");
        var header = unauthorized.GetProperty("headers").GetProperty("WWW-Authenticate");
        header.GetProperty("required").GetBoolean().Should().BeTrue();
        header.GetProperty("description").GetString().Should().Be("The challenge: ApiKey realm=\"strata\".");
        ProblemRef(unauthorized).Should().Be("#/components/schemas/StrataProblemDetails");
        root.GetProperty("components").GetProperty("schemas").GetProperty("StrataProblemDetails").GetProperty("properties")
            .EnumerateObject().Select(p => p.Name).Should().Equal("type", "title", "status", "detail", "instance", "traceId");
    }

    [Fact]
    public async Task Operation_with_scopes_declares_403_naming_missing_scopes_and_one_without_scopes_does_not()
    {
        var root = await DocumentAsync();

        var forbidden = Operation(root, "/reports", "get").GetProperty("responses").GetProperty("403");
        forbidden.GetProperty("description").GetString().Should().Contain("reports:read, reports:export");
        ProblemRef(forbidden).Should().Be("#/components/schemas/ApiKeyScopeProblemDetails");
        var properties = root.GetProperty("components").GetProperty("schemas").GetProperty("ApiKeyScopeProblemDetails").GetProperty("properties");
        properties.GetProperty("missingScopes").GetProperty("type").GetString().Should().Be("array");
        properties.GetProperty("requiredScopes").GetProperty("items").GetProperty("type").GetString().Should().Be("string");
        Operation(root, "/me", "get").GetProperty("responses").TryGetProperty("403", out _).Should().BeFalse();
    }

    [Fact]
    public async Task Anonymous_open_and_excluded_endpoints_get_no_requirement_and_no_401()
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
    public async Task Calling_AddApiKeySecurityScheme_twice_gives_the_same_document()
    {
        var once = await DocumentAsync(OpenApiSpecVersion.OpenApi3_1);

        var twice = await DocumentAsync(OpenApiSpecVersion.OpenApi3_1, calls: 2);

        twice.GetRawText().Should().Be(once.GetRawText());
    }

    [Fact]
    public async Task A_document_made_without_the_middleware_through_ISwaggerProvider_has_the_requirement_too()
    {
        await using var app = await SwaggerDocument.StartAsync(o => o.AddApiKeySecurityScheme(), Services(version: null), Endpoints);

        var document = app.Services.GetRequiredService<ISwaggerProvider>().GetSwagger("v1");

        document.Paths["/jobs"].Operations![HttpMethod.Post].Security.Should().ContainSingle();
    }

    [Fact]
    public void Blank_header_or_scheme_name_is_refused()
    {
        var options = new SwaggerGenOptions();

        FluentActions.Invoking(() => options.AddApiKeySecurityScheme(headerName: " ")).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => options.AddApiKeySecurityScheme(schemeName: "")).Should().Throw<ArgumentException>();
    }

    private static Task<JsonElement> DocumentAsync(OpenApiSpecVersion? version = null, int calls = 1) => GetAsync(
        swagger: options =>
        {
            for (var i = 0; i < calls; i++)
            {
                options.AddApiKeySecurityScheme();
            }
        },
        Services(version),
        Endpoints);

    private static Action<WebApplicationBuilder> Services(OpenApiSpecVersion? version) => builder =>
    {
        if (version is { } v)
        {
            builder.Services.Configure<SwaggerOptions>(o => o.OpenApiVersion = v);
        }

        builder.Services.AddAuthentication(ApiKeyDefaults.AuthenticationScheme).AddApiKey(o =>
        {
            o.Prefix = "sk_live";
            o.Realm = "strata";
        });
        builder.Services.AddAuthorization(o => o.AddPolicy("admin", policy => policy.RequireScope("admin")));
        builder.Services.AddStrataApiKeys().UseInMemoryStore();
    };

    private static void Endpoints(WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/health", () => "ok");
        app.MapPost("/jobs", () => "queued").RequireScope("jobs:write");
        app.MapGet("/reports", () => "report").RequireAuthorization(policy => policy.RequireScope("reports:read", "reports:export"));
        app.MapGet("/admin", () => "admin").RequireAuthorization("admin");
        app.MapGet("/me", () => "me").RequireAuthorization();
        app.MapGet("/anonymous", () => "hi").RequireScope("jobs:write").AllowAnonymous();
        app.MapGet("/excluded", () => "hi").RequireScope("jobs:write").ExcludeFromApiKeyDescription();
    }

    private static string[] Scopes(JsonElement operation) =>
        [.. operation.GetProperty("security").EnumerateArray().Single().GetProperty("ApiKey").EnumerateArray().Select(s => s.GetString()!)];
}
