using System.Text.Json;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace Strata.ApiKeys.OpenApi.Tests;

public sealed class TransformerTests
{
    [Fact]
    public async Task Security_scheme_the_app_declared_itself_is_kept_beside_the_api_key_scheme()
    {
        var root = await DocumentHost.DocumentAsync(options => options.AddDocumentTransformer(BearerScheme));

        var schemes = root.GetProperty("components").GetProperty("securitySchemes");
        schemes.EnumerateObject().Select(s => s.Name).Should().BeEquivalentTo(["Bearer", "ApiKey"]);
        schemes.GetProperty("Bearer").GetProperty("scheme").GetString().Should().Be("bearer");
    }

    [Fact]
    public async Task Operation_keeps_its_own_responses_headers_and_security_requirements()
    {
        var root = await DocumentHost.DocumentAsync(options => options.AddDocumentTransformer(BearerScheme).AddOperationTransformer(OwnDescription));

        var me = DocumentHost.Operation(root, "/me", "get");
        me.GetProperty("responses").EnumerateObject().Select(r => r.Name).Should().BeEquivalentTo(["200", "401"]);
        var unauthorized = me.GetProperty("responses").GetProperty("401");
        unauthorized.GetProperty("headers").EnumerateObject().Select(h => h.Name).Should().BeEquivalentTo(["X-Reason", "WWW-Authenticate"]);
        unauthorized.GetProperty("description").GetString().Should().Be("No API key, or one that is malformed, unknown, revoked or expired.");
        SchemeNames(me).Should().Equal("Bearer", "ApiKey");
    }

    [Fact]
    public async Task A_requirement_the_app_made_of_the_api_key_scheme_is_replaced_so_the_scheme_is_listed_once()
    {
        var root = await DocumentHost.DocumentAsync(options => options.AddDocumentTransformer(BearerScheme).AddOperationTransformer((operation, context, _) =>
        {
            operation.Security = [new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference("ApiKey", context.Document)] = [],
                [new OpenApiSecuritySchemeReference("Bearer", context.Document)] = [],
            }];
            return Task.CompletedTask;
        }));

        SchemeNames(DocumentHost.Operation(root, "/me", "get")).Should().Equal("ApiKey");
    }

    [Fact]
    public async Task Scopes_of_a_named_policy_and_of_RequireScope_on_one_endpoint_are_listed_once_each()
    {
        var root = await DocumentHost.DocumentAsync();

        Scopes(DocumentHost.Operation(root, "/admin/jobs", "get")).Should().BeEquivalentTo("admin", "jobs:write");
    }

    [Fact]
    public async Task Scopes_of_the_endpoints_own_scope_metadata_are_listed_beside_those_of_its_policies()
    {
        var root = await DocumentHost.DocumentAsync();

        Scopes(DocumentHost.Operation(root, "/tagged", "get")).Should().Equal("jobs:write", "jobs:read");
    }

    [Fact]
    public async Task Endpoint_naming_an_unregistered_policy_still_lists_the_scopes_of_its_own_policies()
    {
        var root = await DocumentHost.DocumentAsync();

        Scopes(DocumentHost.Operation(root, "/unregistered", "get")).Should().Equal("audit:read");
    }

    [Fact]
    public async Task Endpoints_that_allow_anonymous_callers_or_require_nothing_get_no_security_requirement()
    {
        var root = await DocumentHost.DocumentAsync();

        foreach (var path in new[] { "/health", "/anonymous" })
        {
            DocumentHost.Operation(root, path, "get").TryGetProperty("security", out _).Should().BeFalse(path);
        }
    }

    [Fact]
    public void Null_options_are_refused_naming_the_parameter()
    {
        FluentActions.Invoking(() => ((OpenApiOptions)null!).AddApiKeySecurityScheme())
            .Should().Throw<ArgumentNullException>().WithParameterName("options");
    }

    private static Task BearerScheme(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["Bearer"] = new OpenApiSecurityScheme { Type = SecuritySchemeType.Http, Scheme = "bearer" };
        return Task.CompletedTask;
    }

    private static Task OwnDescription(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Description.RelativePath == "me")
        {
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("Bearer", context.Document)] = [] }];
            operation.Responses ??= [];
            operation.Responses["401"] = new OpenApiResponse
            {
                Description = "Not signed in.",
                Headers = new Dictionary<string, IOpenApiHeader> { ["X-Reason"] = new OpenApiHeader { Description = "Why.", Schema = new OpenApiSchema { Type = JsonSchemaType.String } } },
            };
        }

        return Task.CompletedTask;
    }

    /// <summary>Each requirement as its schemes joined by "+".</summary>
    private static string[] SchemeNames(JsonElement operation) =>
        [.. operation.GetProperty("security").EnumerateArray().Select(r => string.Join('+', r.EnumerateObject().Select(s => s.Name)))];

    private static string[] Scopes(JsonElement operation) =>
        [.. operation.GetProperty("security").EnumerateArray().Single().GetProperty("ApiKey").EnumerateArray().Select(s => s.GetString()!)];
}
