using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Strata.Jobs.Testing;

namespace Strata.Jobs.Tests;

/// <summary>The async request-reply endpoints over real HTTP (TestServer), with the owner taken from a header-driven test identity.</summary>
public sealed class JobEndpointsTests : IAsyncLifetime
{
    private readonly JobProbe _probe = new();
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddSingleton(_probe);
        builder.Services.AddProblemDetails();
        builder.Services.AddStrataJobs(o => o.Concurrency = 2)
            .AddHandler<EchoJob, EchoHandler>()
            .AddHandler<BlockingJob, BlockingHandler>();
        _app = builder.Build();

        // A stand-in for authentication: the caller names itself in a header.
        _app.Use((context, next) =>
        {
            if (context.Request.Headers["X-Test-User"].ToString() is { Length: > 0 } user)
            {
                context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim(ClaimTypes.NameIdentifier, user)], "test"));
            }

            return next(context);
        });
        _app.MapJobEndpoints<EchoJob>("/v1/echo", o => o.RetryAfter = TimeSpan.FromSeconds(3));
        _app.MapJobEndpoints<BlockingJob>("/v1/blocking");
        await _app.StartAsync();
        _client = _app.GetTestClient();
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task Post_answers_202_with_Location_and_Retry_After_and_Get_returns_the_result_when_done()
    {
        using var post = await SendAsync(HttpMethod.Post, "/v1/echo", "alice", """{"text":"hi"}""");

        post.StatusCode.Should().Be(HttpStatusCode.Accepted);
        post.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(3));
        var location = post.Headers.Location!.ToString();
        location.Should().StartWith("/v1/echo/default.");
        var accepted = await post.Content.ReadFromJsonAsync<JsonElement>();
        accepted.GetProperty("id").GetString().Should().Be(location["/v1/echo/".Length..]);
        accepted.GetProperty("state").GetString().Should().BeOneOf("Queued", "Running", "Succeeded");
        accepted.TryGetProperty("owner", out _).Should().BeFalse("the owner tag is not written to responses");

        var done = await PollUntilFinishedAsync(location, "alice");
        done.GetProperty("state").GetString().Should().Be("Succeeded");
        done.GetProperty("progress").GetInt32().Should().Be(50);
        done.GetProperty("result").GetProperty("upper").GetString().Should().Be("HI");
    }

    [Fact]
    public async Task Get_of_another_owners_job_or_an_unknown_id_is_404_problem_details()
    {
        using var post = await SendAsync(HttpMethod.Post, "/v1/echo", "alice", """{"text":"private"}""");
        var location = post.Headers.Location!.ToString();

        using var other = await SendAsync(HttpMethod.Get, location, "mallory");
        using var anonymous = await SendAsync(HttpMethod.Get, location, user: null);
        using var unknown = await SendAsync(HttpMethod.Get, "/v1/echo/default.0123456789abcdef0123456789abcdef", "alice");

        other.StatusCode.Should().Be(HttpStatusCode.NotFound);
        anonymous.StatusCode.Should().Be(HttpStatusCode.NotFound);
        unknown.StatusCode.Should().Be(HttpStatusCode.NotFound);
        other.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await other.Content.ReadAsStringAsync()).Should().NotContain("private");
    }

    [Fact]
    public async Task Delete_cancels_a_running_job_and_a_second_delete_is_409()
    {
        using var post = await SendAsync(HttpMethod.Post, "/v1/blocking", "bob", """{"key":"d1"}""");
        var location = post.Headers.Location!.ToString();
        await _probe.WaitStartedAsync("d1");

        using var otherOwner = await SendAsync(HttpMethod.Delete, location, "mallory");
        using var delete = await SendAsync(HttpMethod.Delete, location, "bob");
        var done = await PollUntilFinishedAsync(location, "bob");
        using var again = await SendAsync(HttpMethod.Delete, location, "bob");

        otherOwner.StatusCode.Should().Be(HttpStatusCode.NotFound);
        delete.StatusCode.Should().Be(HttpStatusCode.OK);
        done.GetProperty("state").GetString().Should().Be("Cancelled");
        _probe.TokensFired.Should().Contain("d1");
        again.StatusCode.Should().Be(HttpStatusCode.Conflict);
    }

    [Theory]
    [InlineData("{\"text\":")]
    [InlineData("not json")]
    [InlineData("{\"text\": {\"a\": 1}}")]
    [InlineData("null")]
    [InlineData("")]
    public async Task Bad_json_body_gets_400_problem_details_never_500(string body)
    {
        using var response = await SendAsync(HttpMethod.Post, "/v1/echo", "alice", body);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("status").GetInt32().Should().Be(400);
        problem.GetProperty("detail").GetString().Should().Contain("EchoJob");
        _probe.Runs.Should().BeEmpty();
    }

    [Fact]
    public async Task Body_that_is_not_json_gets_415()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/echo") { Content = new StringContent("text=hi", Encoding.UTF8, "application/x-www-form-urlencoded") };

        using var response = await _client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task Same_idempotency_key_from_one_caller_gives_one_job_but_other_callers_get_their_own()
    {
        using var first = await SendAsync(HttpMethod.Post, "/v1/echo", "alice", """{"text":"a"}""", idempotencyKey: "k1");
        using var repeat = await SendAsync(HttpMethod.Post, "/v1/echo", "alice", """{"text":"a"}""", idempotencyKey: "k1");
        using var otherCaller = await SendAsync(HttpMethod.Post, "/v1/echo", "bob", """{"text":"a"}""", idempotencyKey: "k1");

        repeat.Headers.Location.Should().Be(first.Headers.Location);
        otherCaller.Headers.Location.Should().NotBe(first.Headers.Location);
    }

    [Fact]
    public void Endpoints_carry_OpenAPI_metadata()
    {
        var endpoints = _app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/v1/echo", StringComparison.Ordinal))
            .ToList();

        var post = endpoints.Single(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Contains("POST"));
        post.Metadata.GetMetadata<IAcceptsMetadata>()!.RequestType.Should().Be(typeof(EchoJob));
        post.Metadata.GetOrderedMetadata<IProducesResponseTypeMetadata>().Select(m => m.StatusCode).Should().Contain([202, 400, 415, 503]);
        post.Metadata.GetMetadata<IEndpointSummaryMetadata>()!.Summary.Should().Be("Enqueue a EchoJob job");
        var get = endpoints.Single(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Contains("GET"));
        get.Metadata.GetOrderedMetadata<IProducesResponseTypeMetadata>().Should().Contain(m => m.StatusCode == 200 && m.Type == typeof(JobInfo));
        endpoints.Should().HaveCount(3);
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string? user, string? json = null, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (user is not null)
        {
            request.Headers.Add("X-Test-User", user);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return await _client.SendAsync(request);
    }

    private async Task<JsonElement> PollUntilFinishedAsync(string location, string user)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            using var response = await SendAsync(HttpMethod.Get, location, user);
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            if (body.GetProperty("state").GetString() is "Succeeded" or "Dead" or "Cancelled")
            {
                response.Headers.RetryAfter.Should().BeNull("a finished job needs no more polling");
                return body;
            }

            response.Headers.RetryAfter.Should().NotBeNull();
            await Task.Delay(20, limit.Token);
        }
    }
}
