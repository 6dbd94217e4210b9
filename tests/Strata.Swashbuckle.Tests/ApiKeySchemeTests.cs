using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;
using Strata.ApiKeys;
using Swashbuckle.AspNetCore.Swagger;
using Swashbuckle.AspNetCore.SwaggerGen;
using static Strata.Swashbuckle.Tests.SwaggerDocument;

namespace Strata.Swashbuckle.Tests;

public sealed class ApiKeySchemeTests
{
    [Fact]
    public async Task Two_schemes_each_get_their_own_requirement_on_a_protected_operation()
    {
        var root = await DocumentAsync(options =>
        {
            options.AddApiKeySecurityScheme();
            options.AddApiKeySecurityScheme(headerName: "X-Partner-Key", schemeName: "Partner");
        });

        root.GetProperty("components").GetProperty("securitySchemes").GetProperty("Partner").GetProperty("name").GetString().Should().Be("X-Partner-Key");
        Requirements(Operation(root, "/me", "get")).Should().Equal("ApiKey", "Partner");
    }

    [Fact]
    public async Task An_app_filter_whose_argument_is_the_scheme_name_does_not_stand_in_for_the_api_key_filter()
    {
        var root = await DocumentAsync(options =>
        {
            options.OperationFilter<NamedFilter>("ApiKey");
            options.AddApiKeySecurityScheme();
        });

        var me = Operation(root, "/me", "get");
        me.GetProperty("summary").GetString().Should().Be("ApiKey");
        Requirements(me).Should().Equal("ApiKey");
    }

    [Fact]
    public async Task A_requirement_of_the_app_naming_the_api_key_scheme_is_replaced_so_the_scheme_is_listed_once()
    {
        var root = await DocumentAsync(options =>
        {
            options.SwaggerGeneratorOptions.SecuritySchemes["Bearer"] = OwnDescriptionFilter.BearerScheme();
            options.OperationFilter<ApiKeyRequirementFilter>();
            options.AddApiKeySecurityScheme();
        });

        Requirements(Operation(root, "/me", "get")).Should().Equal("ApiKey");
    }

    [Fact]
    public async Task In_a_Swagger_2_0_document_the_scopes_stay_out_of_the_requirement_and_in_the_403()
    {
        var root = await DocumentAsync(options => options.AddApiKeySecurityScheme(), OpenApiSpecVersion.OpenApi2_0);

        root.GetProperty("swagger").GetString().Should().Be("2.0");
        var jobs = Operation(root, "/jobs", "post");
        jobs.GetProperty("security").EnumerateArray().Single().GetProperty("ApiKey").GetArrayLength().Should().Be(0);
        jobs.GetProperty("responses").GetProperty("403").GetProperty("description").GetString().Should().Contain("(jobs:write)");
    }

    [Fact]
    public async Task With_a_policy_provider_that_answers_asynchronously_the_requirement_lists_the_endpoints_own_scopes()
    {
        // Swashbuckle's filters are synchronous: named policies that need an asynchronous look-up are left out, and
        // the scopes of the policies on the endpoint itself (RequireScope) are still listed.
        var root = await DocumentAsync(options => options.AddApiKeySecurityScheme(), OpenApiSpecVersion.OpenApi3_1, asyncPolicies: true);

        var admin = Operation(root, "/admin", "get");
        admin.GetProperty("security").EnumerateArray().Single().GetProperty("ApiKey").EnumerateArray().Select(s => s.GetString())
            .Should().Equal("audit:read");
    }

    private static Task<JsonElement> DocumentAsync(Action<SwaggerGenOptions> swagger, OpenApiSpecVersion? version = null, bool asyncPolicies = false) => GetAsync(
        swagger,
        builder =>
        {
            if (asyncPolicies)
            {
                builder.Services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationPolicyProvider, YieldingPolicyProvider>();
            }

            if (version is { } v)
            {
                builder.Services.Configure<SwaggerOptions>(o => o.OpenApiVersion = v);
            }

            builder.Services.AddAuthentication(ApiKeyDefaults.AuthenticationScheme).AddApiKey();
            builder.Services.AddAuthorization(o => o.AddPolicy("admin", policy => policy.RequireScope("admin")));
            builder.Services.AddStrataApiKeys().UseInMemoryStore();
        },
        app =>
        {
            app.UseAuthentication();
            app.UseAuthorization();
            app.MapGet("/me", () => "me").RequireAuthorization();
            app.MapPost("/jobs", () => "queued").RequireScope("jobs:write");
            app.MapGet("/admin", () => "admin").RequireAuthorization("admin").RequireScope("audit:read");
        });

    /// <summary>Each requirement as its schemes joined by "+".</summary>
    private static string[] Requirements(JsonElement operation) =>
        [.. operation.GetProperty("security").EnumerateArray().Select(r => string.Join('+', r.EnumerateObject().Select(s => s.Name)))];
}
