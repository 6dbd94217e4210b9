using System.Net;
using System.Net.Http.Json;
using Strata.Sample.Api.Endpoints;
using Strata.Sample.Api.Tests.Infrastructure;

namespace Strata.Sample.Api.Tests;

public sealed class AdminKeyEndpointTests(SampleApiFactory factory) : IClassFixture<SampleApiFactory>
{
    [Fact]
    public async Task Admin_creates_lists_rotates_and_revokes_a_key_and_each_change_takes_effect()
    {
        using var admin = factory.CreateClient(await factory.CreateKeyAsync(["admin"]));

        // Create: 201, the secret once, and it works.
        using var createResponse = await admin.PostAsJsonAsync("/admin/keys", new { name = "reporting", scopes = new[] { "analyze" }, plan = "pro" });
        createResponse.StatusCode.Should().Be(HttpStatusCode.Created);
        var created = await createResponse.Content.ReadFromJsonAsync<CreatedKey>();
        createResponse.Headers.Location!.ToString().Should().Be($"/admin/keys/{created!.Record.Id}");
        created.Record.Plan.Should().Be("pro");
        (await AnalyzeAsync(created.Key)).Should().Be(HttpStatusCode.OK);

        // List: the record, never a secret.
        using var listResponse = await admin.GetAsync("/admin/keys");
        var listText = await listResponse.Content.ReadAsStringAsync();
        listText.Should().NotContain(created.Key);
        var list = await listResponse.Content.ReadFromJsonAsync<List<KeyRecord>>();
        list!.Should().Contain(record => record.Id == created.Record.Id && record.Scopes.Contains("analyze"));

        // Rotate with no overlap: the successor works, the old key stops.
        using var rotateResponse = await admin.PostAsync($"/admin/keys/{created.Record.Id}/rotate?overlapMinutes=0", content: null);
        rotateResponse.StatusCode.Should().Be(HttpStatusCode.OK);
        var rotated = await rotateResponse.Content.ReadFromJsonAsync<CreatedKey>();
        rotated!.Key.Should().NotBe(created.Key);
        rotated.Record.Scopes.Should().Equal("analyze");
        (await AnalyzeAsync(rotated.Key)).Should().Be(HttpStatusCode.OK);
        (await AnalyzeAsync(created.Key)).Should().Be(HttpStatusCode.Unauthorized);

        // Rotating the old key again: 409 (it was already rotated).
        using var again = await admin.PostAsync($"/admin/keys/{created.Record.Id}/rotate", content: null);
        await AnalyzeEndpointTests.ShouldBeProblemAsync(again, HttpStatusCode.Conflict);

        // Revoke: 204, then 401.
        using var revoke = await admin.DeleteAsync($"/admin/keys/{rotated.Record.Id}");
        revoke.StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await AnalyzeAsync(rotated.Key)).Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Unknown_key_ids_get_404_for_rotate_and_revoke()
    {
        using var admin = factory.CreateClient(await factory.CreateKeyAsync(["admin"]));

        using var rotate = await admin.PostAsync("/admin/keys/key_doesnotexist/rotate", content: null);
        using var revoke = await admin.DeleteAsync("/admin/keys/key_doesnotexist");

        await AnalyzeEndpointTests.ShouldBeProblemAsync(rotate, HttpStatusCode.NotFound);
        await AnalyzeEndpointTests.ShouldBeProblemAsync(revoke, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Creating_a_key_with_an_unknown_scope_or_no_name_gets_400()
    {
        using var admin = factory.CreateClient(await factory.CreateKeyAsync(["admin"]));

        using var unknownScope = await admin.PostAsJsonAsync("/admin/keys", new { name = "x", scopes = new[] { "root" } });
        using var noName = await admin.PostAsJsonAsync("/admin/keys", new { scopes = new[] { "analyze" } });

        (await AnalyzeEndpointTests.ShouldBeProblemAsync(unknownScope, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("scopes", out _).Should().BeTrue();
        (await AnalyzeEndpointTests.ShouldBeProblemAsync(noName, HttpStatusCode.BadRequest)).GetProperty("errors").TryGetProperty("name", out _).Should().BeTrue();
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("43201")]
    [InlineData("ten")]
    public async Task Rotating_with_a_bad_overlap_gets_400_naming_the_overlap_and_its_range(string overlap)
    {
        using var admin = factory.CreateClient(await factory.CreateKeyAsync(["admin"]));
        var id = await CreateKeyIdAsync(admin);

        using var response = await admin.PostAsync($"/admin/keys/{id}/rotate?overlapMinutes={overlap}", content: null);

        var problem = await AnalyzeEndpointTests.ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
        var detail = problem.GetProperty("detail").GetString();
        detail.Should().Contain("overlapMinutes").And.Contain("0 to 43,200").And.NotContain("JSON", "rotation has no body");
        problem.GetProperty("errors").GetProperty("overlapMinutes")[0].GetString().Should().Contain("0 to 43,200");
    }

    [Fact]
    public async Task Creating_a_key_with_malformed_json_gets_400_saying_the_body_is_not_valid_json()
    {
        using var admin = factory.CreateClient(await factory.CreateKeyAsync(["admin"]));
        using var body = new StringContent("{\"name\": ", System.Text.Encoding.UTF8, "application/json");

        using var response = await admin.PostAsync("/admin/keys", body);

        var problem = await AnalyzeEndpointTests.ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
        problem.GetProperty("detail").GetString().Should().Be("The request body is missing or is not valid JSON for this endpoint.");
    }

    [Fact]
    public async Task A_validation_problem_of_key_creation_says_what_is_wrong_not_that_the_json_is_bad()
    {
        using var admin = factory.CreateClient(await factory.CreateKeyAsync(["admin"]));

        using var response = await admin.PostAsJsonAsync("/admin/keys", new { name = "x", scopes = new[] { "root" } });

        var problem = await AnalyzeEndpointTests.ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
        problem.GetProperty("detail").GetString().Should().Contain("root").And.NotContain("JSON");
    }

    [Fact]
    public async Task Admin_routes_carry_their_own_limit_of_30_requests_a_minute_per_key()
    {
        using var admin = factory.CreateClient(await factory.CreateKeyAsync(["admin"]));

        using var response = await admin.GetAsync("/admin/keys");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        RateLimitHeader.Quota(response, "admin").Should().Be(30);
        RateLimitHeader.Remaining(response, "admin").Should().Be(29);
    }

    [Fact]
    public async Task Admin_routes_need_the_admin_scope()
    {
        using var user = factory.CreateClient(await factory.CreateKeyAsync(["analyze", "jobs:write"]));
        using var anonymous = factory.CreateClient(apiKey: null);

        using var forbidden = await user.GetAsync("/admin/keys");
        using var unauthorized = await anonymous.GetAsync("/admin/keys");

        forbidden.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        unauthorized.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    private static async Task<string> CreateKeyIdAsync(HttpClient admin)
    {
        using var response = await admin.PostAsJsonAsync("/admin/keys", new { name = "rotating", scopes = new[] { "analyze" } });
        response.StatusCode.Should().Be(HttpStatusCode.Created);
        return (await response.Content.ReadFromJsonAsync<CreatedKey>())!.Record.Id;
    }

    private async Task<HttpStatusCode> AnalyzeAsync(string key)
    {
        using var client = factory.CreateClient(key);
        using var response = await client.PostTextAsync("/v1/analyze", "A short and happy note.");
        return response.StatusCode;
    }
}
