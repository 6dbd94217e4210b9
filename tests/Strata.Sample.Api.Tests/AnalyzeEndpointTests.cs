using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Strata.Sample.Api.Tests.Infrastructure;
using Strata.Sample.Data;
using Strata.Sample.Processing;

namespace Strata.Sample.Api.Tests;

public sealed class AnalyzeEndpointTests(SampleApiFactory factory) : IClassFixture<SampleApiFactory>
{
    private const string Text = "Strata makes rate limits easy. The queue is fast and reliable. I love the clear errors.";

    [Fact]
    public async Task Analyze_with_the_analyze_scope_returns_the_analysis_and_stores_it_under_the_key()
    {
        var key = await factory.CreateKeyAsync(["analyze"]);
        using var client = factory.CreateClient(key);

        using var response = await client.PostTextAsync("/v1/analyze", Text);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var analysis = await response.Content.ReadFromJsonAsync<AnalysisResult>();
        analysis!.Summary.Should().NotBeNullOrWhiteSpace();
        analysis.Keywords.Should().NotBeEmpty();
        analysis.Sentiment.Should().Be("positive");
        analysis.TokenCount.Should().BeGreaterThan(5);

        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SampleDbContext>();
        var stored = await db.Analyses.SingleAsync(a => a.Id == analysis.AnalysisId);
        stored.JobId.Should().BeNull();
        stored.OwnerKeyId.Should().StartWith("key_");
        File.Exists(factory.DatabasePath).Should().BeTrue("the sample keeps its data in a SQLite file");
    }

    [Fact]
    public async Task Analyze_without_a_key_gets_401_problem_with_a_challenge()
    {
        using var client = factory.CreateClient(apiKey: null);

        using var response = await client.PostTextAsync("/v1/analyze", Text);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().Should().Contain("ApiKey");
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
    }

    [Fact]
    public async Task Analyze_with_an_unknown_key_gets_401()
    {
        using var client = factory.CreateClient("sk_sample_" + new string('A', 49));

        using var response = await client.PostTextAsync("/v1/analyze", Text);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Analyze_with_a_key_without_the_analyze_scope_gets_403_problem()
    {
        var key = await factory.CreateKeyAsync(["jobs:write"]);
        using var client = factory.CreateClient(key);

        using var response = await client.PostTextAsync("/v1/analyze", Text);

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
    }

    [Theory]
    [InlineData("{\"text\": ")]
    [InlineData("not json")]
    [InlineData("[1, 2]")]
    [InlineData("{\"text\": 42}")]
    [InlineData("")]
    public async Task Malformed_or_missing_json_gets_400_problem(string body)
    {
        var key = await factory.CreateKeyAsync(["analyze"]);
        using var client = factory.CreateClient(key);

        using var response = await client.PostAsync("/v1/analyze", new StringContent(body, Encoding.UTF8, "application/json"));

        await ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Theory]
    [InlineData("{\"text\": \"\"}")]
    [InlineData("{\"text\": \"   \"}")]
    [InlineData("{}")]
    public async Task Empty_text_gets_400_validation_problem_naming_the_field(string body)
    {
        var key = await factory.CreateKeyAsync(["analyze"]);
        using var client = factory.CreateClient(key);

        using var response = await client.PostAsync("/v1/analyze", new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = await ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
        problem.GetProperty("errors").TryGetProperty("text", out _).Should().BeTrue();
    }

    [Fact]
    public async Task Text_longer_than_the_limit_gets_400()
    {
        var key = await factory.CreateKeyAsync(["analyze"]);
        using var client = factory.CreateClient(key);

        using var response = await client.PostTextAsync("/v1/analyze", new string('a', 100_001));

        var problem = await ShouldBeProblemAsync(response, HttpStatusCode.BadRequest);
        problem.GetProperty("detail").GetString().Should().Contain("100000");
    }

    [Fact]
    public async Task Wrong_content_type_gets_415_problem()
    {
        var key = await factory.CreateKeyAsync(["analyze"]);
        using var client = factory.CreateClient(key);

        using var response = await client.PostAsync("/v1/analyze", new StringContent(Text, Encoding.UTF8, "text/plain"));

        await ShouldBeProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task Body_over_one_mebibyte_gets_413_problem()
    {
        var key = await factory.CreateKeyAsync(["analyze"]);
        using var client = factory.CreateClient(key);
        var body = "{\"text\": \"" + new string('a', 1024 * 1024) + "\"}";

        using var response = await client.PostAsync("/v1/analyze", new StringContent(body, Encoding.UTF8, "application/json"));

        await ShouldBeProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Chunked_body_over_the_limit_gets_413_from_kestrel_not_500()
    {
        var key = await factory.CreateKeyAsync(["analyze"]);
        using var client = factory.CreateClient(key);
        var bytes = Encoding.UTF8.GetBytes("{\"text\": \"" + new string('a', 2 * 1024 * 1024) + "\"}");
        using var content = new StreamContent(new NonSeekableStream(bytes));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/analyze") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Every_v1_answer_carries_the_rate_limit_fields()
    {
        var key = await factory.CreateKeyAsync(["analyze", "jobs:write"]);
        using var client = factory.CreateClient(key);

        using var ok = await client.PostTextAsync("/v1/analyze", Text);
        using var invalid = await client.PostTextAsync("/v1/analyze", " ");
        using var notFound = await client.GetAsync("/v1/jobs/default.00000000000000000000000000000000");

        foreach (var response in new[] { ok, invalid, notFound })
        {
            RateLimitHeader.Quota(response, "per-key").Should().BeGreaterThan(0);
            RateLimitHeader.Remaining(response, "per-key").Should().BeGreaterThanOrEqualTo(0);
        }

        RateLimitHeader.Quota(ok, "tokens").Should().BeGreaterThan(0, "the analyze route also spends the token budget");
    }

    internal static async Task<JsonElement> ShouldBeProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        response.StatusCode.Should().Be(status);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("status").GetInt32().Should().Be((int)status);
        problem.GetProperty("title").GetString().Should().NotBeNullOrWhiteSpace();
        return problem;
    }

    /// <summary>A body of unknown length, so the client sends it chunked.</summary>
    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
