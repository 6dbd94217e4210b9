using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Strata.ApiKeys.Tests;

/// <summary>What the 401 and 403 bodies tell a client: where to send its key, which scopes it lacks.</summary>
public sealed class ProblemBodyTests
{
    [Fact]
    public async Task Request_without_key_gets_401_naming_the_header_and_keeps_the_challenge()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.GetAsync("/me", key: null);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().Should().Be("ApiKey realm=\"api\"");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("detail").GetString().Should().Be("An API key is required. Send your API key in the X-Api-Key header.");
    }

    [Fact]
    public async Task Request_without_key_gets_401_naming_every_place_the_scheme_reads_a_key_from()
    {
        await using var app = await TestApp.StartAsync(auth: o =>
        {
            o.HeaderNames.Add("X-Partner-Key");
            o.AllowAuthorizationHeader = true;
            o.AllowBearerToken = true;
            o.QueryParameterName = "api_key";
        });

        var response = await app.GetAsync("/me", key: null);

        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString().Should().Be(
            "An API key is required. Send your API key in the X-Api-Key or X-Partner-Key header, the Authorization header as 'ApiKey <key>', "
            + "the Authorization header as 'Bearer <key>' or the 'api_key' query parameter.");
    }

    [Fact]
    public async Task A_401_for_a_bad_key_never_echoes_the_key()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.CreateKeyAsync();
        var wrong = created.Key[..^3] + "xyz";

        var response = await app.GetAsync("/me", wrong);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        var body = await response.Content.ReadAsStringAsync();
        body.Should().NotContain(wrong).And.NotContain(created.Key).And.NotContain(created.Key[8..20]);
    }

    [Fact]
    public async Task Key_without_the_required_scope_gets_403_naming_the_missing_scope()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.CreateKeyAsync("analyze");

        var request = new HttpRequestMessage(HttpMethod.Post, "/jobs");
        request.Headers.Add(ApiKeyDefaults.HeaderName, created.Key);
        var response = await app.Client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("detail").GetString().Should().Be("The API key lacks the scope this endpoint requires: jobs:write.");
        Strings(problem.GetProperty("missingScopes")).Should().Equal("jobs:write");
        Strings(problem.GetProperty("requiredScopes")).Should().Equal("jobs:write");
        (await response.Content.ReadAsStringAsync()).Should().NotContain(created.Key);
    }

    [Fact]
    public async Task Key_with_none_of_several_required_scopes_gets_403_naming_every_one_it_lacks()
    {
        // Mutation testing (docs/testing.md): keeping only the last missing scope survived every other test.
        await using var app = await TestApp.StartAsync();
        var created = await app.CreateKeyAsync("analyze");

        var response = await app.GetAsync("/both", created.Key);

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Strings(problem.GetProperty("missingScopes")).Should().Equal("jobs:write", "jobs:read");
        Strings(problem.GetProperty("requiredScopes")).Should().Equal("jobs:write", "jobs:read");
    }

    [Fact]
    public async Task Key_with_some_of_the_required_scopes_gets_403_naming_only_those_it_lacks()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.CreateKeyAsync("jobs:write");

        var response = await app.GetAsync("/both", created.Key);

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("detail").GetString().Should().Be("The API key lacks the scope this endpoint requires: jobs:read.");
        Strings(problem.GetProperty("missingScopes")).Should().Equal("jobs:read");
        Strings(problem.GetProperty("requiredScopes")).Should().Equal("jobs:write", "jobs:read");
    }

    [Fact]
    public async Task Scopes_required_by_a_named_policy_and_by_a_group_are_named_together()
    {
        await using var app = await TestApp.StartAsync(endpoints: web =>
        {
            var group = web.MapGroup("/admin").RequireScope("admin");
            group.MapGet("/reports", () => "reports").RequireAuthorization("writers");
        });
        var created = await app.CreateKeyAsync("analyze");

        var response = await app.GetAsync("/admin/reports", created.Key);

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Strings(problem.GetProperty("missingScopes")).Should().BeEquivalentTo("admin", "jobs:write");
        problem.GetProperty("detail").GetString().Should().StartWith("The API key lacks the scopes this endpoint requires: ");
    }

    [Fact]
    public async Task A_403_from_a_policy_without_scopes_stays_generic()
    {
        await using var app = await TestApp.StartAsync(endpoints: web =>
            web.MapGet("/owners-only", () => "x").RequireAuthorization(p => p.RequireClaim(ApiKeyClaimTypes.Owner, "someone-else")));
        var created = await app.CreateKeyAsync("analyze");

        var response = await app.GetAsync("/owners-only", created.Key);

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("detail").GetString().Should().Be("The API key does not grant access to this resource.");
        problem.TryGetProperty("missingScopes", out _).Should().BeFalse();
    }

    [Fact]
    public async Task Request_without_key_to_a_scoped_endpoint_gets_401_without_scope_details()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.Client.PostAsync("/jobs", content: null);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).TryGetProperty("missingScopes", out _).Should().BeFalse();
    }

    private static IEnumerable<string?> Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString());
}
