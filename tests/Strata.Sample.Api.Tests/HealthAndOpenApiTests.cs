using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Strata.Sample.Api.Tests.Infrastructure;

namespace Strata.Sample.Api.Tests;

public sealed class HealthAndOpenApiTests(SampleApiFactory factory) : IClassFixture<SampleApiFactory>
{
    [Fact]
    public async Task Live_answers_200_without_a_key()
    {
        using var client = factory.CreateClient(apiKey: null);

        using var response = await client.GetAsync("/health/live");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Ready_checks_the_database_and_answers_200_without_a_key()
    {
        using var client = factory.CreateClient(apiKey: null);

        using var response = await client.GetAsync("/health/ready");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        body.GetProperty("status").GetString().Should().Be("Healthy");
        body.GetProperty("checks").GetProperty("database").GetString().Should().Be("Healthy");
    }

    [Fact]
    public async Task OpenApi_document_declares_the_api_key_scheme_and_every_route()
    {
        using var client = factory.CreateClient(apiKey: null);

        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));

        var root = document.RootElement;
        var scheme = root.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        scheme.GetProperty("type").GetString().Should().Be("apiKey");
        scheme.GetProperty("in").GetString().Should().Be("header");
        scheme.GetProperty("name").GetString().Should().Be("X-Api-Key");

        var paths = root.GetProperty("paths");
        paths.EnumerateObject().Select(path => path.Name).Should().Contain(
        [
            "/v1/analyze", "/v1/jobs", "/v1/jobs/{id}", "/admin/keys", "/admin/keys/{id}/rotate", "/admin/keys/{id}",
        ]);
        var analyze = paths.GetProperty("/v1/analyze").GetProperty("post");
        analyze.GetProperty("security")[0].TryGetProperty("ApiKey", out _).Should().BeTrue();
        paths.GetProperty("/v1/jobs/{id}").TryGetProperty("delete", out _).Should().BeTrue();
    }

    [Fact]
    public async Task Scalar_reference_page_is_served()
    {
        using var client = factory.CreateClient(apiKey: null);

        using var response = await client.GetAsync("/scalar/v1");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        var page = await response.Content.ReadAsStringAsync();
        page.Should().Contain("openapi/v1.json").And.Contain("\"preferredSecurityScheme\":[\"ApiKey\"]");
    }

    [Fact]
    public async Task Unknown_route_gets_404_problem()
    {
        using var client = factory.CreateClient(apiKey: null);

        using var response = await client.GetAsync("/v1/nothing-here");

        await AnalyzeEndpointTests.ShouldBeProblemAsync(response, HttpStatusCode.NotFound);
    }
}
