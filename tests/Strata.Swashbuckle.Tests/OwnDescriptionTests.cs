using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Swashbuckle.AspNetCore.SwaggerGen;
using static Strata.Swashbuckle.Tests.SwaggerDocument;

namespace Strata.Swashbuckle.Tests;

public sealed class OwnDescriptionTests
{
    // Made anew for each test: a document cached across tests would hide a mutant from the tests Stryker runs for it.
    private static Task<JsonElement> Document => DocumentAsync();

    [Fact]
    public async Task Security_scheme_and_requirement_the_app_declared_are_kept_beside_the_api_key_ones()
    {
        var root = await Document;

        root.GetProperty("components").GetProperty("securitySchemes").EnumerateObject().Select(s => s.Name).Should().BeEquivalentTo("Bearer", "ApiKey");
        Operation(root, "/me", "get").GetProperty("security").EnumerateArray()
            .Select(r => string.Join('+', r.EnumerateObject().Select(s => s.Name))).Should().Equal("Bearer", "ApiKey");
    }

    [Fact]
    public async Task Responses_and_headers_the_app_declared_are_kept_and_gain_Strata_headers()
    {
        var root = await Document;

        var me = Operation(root, "/me", "get").GetProperty("responses");
        me.EnumerateObject().Select(r => r.Name).Should().BeEquivalentTo("200", "401");
        Headers(me.GetProperty("401")).Should().BeEquivalentTo("X-Trace", "WWW-Authenticate");
        me.GetProperty("401").GetProperty("description").GetString().Should().Be("No API key, or one that is malformed, unknown, revoked or expired.");
        var one = Operation(root, "/one", "get").GetProperty("responses");
        Headers(one.GetProperty("429")).Should().BeEquivalentTo("X-Trace", "Retry-After", "RateLimit-Policy", "RateLimit");
        one.GetProperty("429").GetProperty("description").GetString().Should().StartWith("Too many requests: policy 'one' allows 1 request ");
    }

    [Fact]
    public async Task Parameters_and_headers_the_app_declared_on_a_job_submission_are_kept()
    {
        var root = await Document;

        var submit = Operation(root, "/v1/echo", "post");
        submit.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString()).Should().Equal("X-Tenant", "Idempotency-Key");
        Headers(submit.GetProperty("responses").GetProperty("202")).Should().BeEquivalentTo("X-Trace", "Location", "Retry-After");
        Headers(submit.GetProperty("responses").GetProperty("503")).Should().BeEquivalentTo("X-Trace", "Retry-After");
    }

    [Fact]
    public async Task Scopes_of_policies_RequireScope_and_scope_metadata_are_gathered_once_each()
    {
        var root = await CombinedDocumentAsync(Microsoft.OpenApi.OpenApiSpecVersion.OpenApi3_1);

        Scopes(Operation(root, "/admin", "get")).Should().BeEquivalentTo("admin", "audit:read");
        Scopes(Operation(root, "/tagged", "get")).Should().Equal("jobs:write", "jobs:read");
        Scopes(Operation(root, "/unregistered", "get")).Should().Equal("audit:read");
    }

    [Fact]
    public async Task Endpoints_that_allow_anonymous_callers_or_require_nothing_get_no_security_requirement()
    {
        var root = await Document;

        foreach (var path in new[] { "/health", "/anonymous" })
        {
            Operation(root, path, "get").TryGetProperty("security", out _).Should().BeFalse(path);
        }
    }

    [Fact]
    public async Task Job_operations_whose_responses_an_earlier_filter_removed_get_them_with_Strata_descriptions()
    {
        var root = await CombinedDocumentAsync(null, options => options.OperationFilter<ResponselessFilter>());

        var accepted = Operation(root, "/v1/echo", "post").GetProperty("responses").GetProperty("202");
        accepted.GetProperty("description").GetString().Should().Be("Accepted: the job is queued.");
        Headers(accepted).Should().Equal("Location", "Retry-After");
        var ok = Operation(root, "/v1/echo/{id}", "get").GetProperty("responses").GetProperty("200");
        ok.GetProperty("description").GetString().Should().Be("The job's status.");
        Headers(ok).Should().Equal("Retry-After");
    }

    [Fact]
    public void Null_options_are_refused_naming_the_parameter()
    {
        var none = (SwaggerGenOptions)null!;

        FluentActions.Invoking(() => none.AddApiKeySecurityScheme()).Should().Throw<ArgumentNullException>().WithParameterName("options");
        FluentActions.Invoking(() => none.AddRateLimitDescriptions()).Should().Throw<ArgumentNullException>().WithParameterName("options");
        FluentActions.Invoking(() => none.AddJobEndpointDescriptions()).Should().Throw<ArgumentNullException>().WithParameterName("options");
    }

    private static Task<JsonElement> DocumentAsync() => CombinedDocumentAsync(null, options =>
    {
        options.SwaggerGeneratorOptions.SecuritySchemes["Bearer"] = OwnDescriptionFilter.BearerScheme();
        options.OperationFilter<OwnDescriptionFilter>();
    });

    private static async Task<JsonElement> CombinedDocumentAsync(Microsoft.OpenApi.OpenApiSpecVersion? version, Action<SwaggerGenOptions>? own = null)
    {
        using var document = JsonDocument.Parse(await CombinedHost.JsonAsync(version, own));
        return document.RootElement.Clone();
    }

    private static string[] Scopes(JsonElement operation) =>
        [.. operation.GetProperty("security").EnumerateArray().Single().GetProperty("ApiKey").EnumerateArray().Select(s => s.GetString()!)];
}
