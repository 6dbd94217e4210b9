using System.Net;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Strata.Jobs.Testing;

namespace Strata.Jobs.Tests;

/// <summary>Conventions per verb on the endpoints of MapJobEndpoints, over TestServer with ASP.NET Core's rate limiter.</summary>
public sealed class JobEndpointConventionsTests
{
    /// <summary>A policy that lets one request through per hour, then answers 429: the second request shows whether the policy applies.</summary>
    private const string OnePerHour = "one-per-hour";

    private const string AlsoOnePerHour = "also-one-per-hour";

    private const string Unlimited = "unlimited";

    private const string MissingId = "default.0123456789abcdef0123456789abcdef";

    [Fact]
    public async Task Rate_limit_on_Submit_alone_leaves_polling_and_cancel_unlimited()
    {
        await using var app = await StartAsync(jobs => jobs.Submit.RequireRateLimiting(OnePerHour));
        using var client = app.GetTestClient();

        using var first = await PostAsync(client);
        using var second = await PostAsync(client);
        var polls = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var poll = await client.GetAsync(first.Headers.Location);
            polls.Add(poll.StatusCode);
        }

        using var cancel = await client.DeleteAsync(first.Headers.Location);

        first.StatusCode.Should().Be(HttpStatusCode.Accepted);
        second.StatusCode.Should().Be(HttpStatusCode.TooManyRequests, "the submit budget is one request");
        polls.Should().AllSatisfy(status => status.Should().Be(HttpStatusCode.OK), "polling does not spend the submit budget");
        cancel.StatusCode.Should().NotBe(HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task Rate_limit_on_Status_alone_leaves_Submit_unlimited()
    {
        await using var app = await StartAsync(jobs => jobs.Status.RequireRateLimiting(OnePerHour));
        using var client = app.GetTestClient();

        using var firstPoll = await client.GetAsync($"/v1/echo/{MissingId}");
        using var secondPoll = await client.GetAsync($"/v1/echo/{MissingId}");
        var submits = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var submit = await PostAsync(client);
            submits.Add(submit.StatusCode);
        }

        firstPoll.StatusCode.Should().Be(HttpStatusCode.NotFound);
        secondPoll.StatusCode.Should().Be(HttpStatusCode.TooManyRequests, "the status budget is one request");
        submits.Should().AllSatisfy(status => status.Should().Be(HttpStatusCode.Accepted), "submitting does not spend the status budget");
    }

    [Fact]
    public async Task A_convention_on_all_three_applies_to_each_and_a_per_verb_one_wins_over_it()
    {
        await using var app = await StartAsync(jobs =>
        {
            jobs.RequireRateLimiting(OnePerHour);
            jobs.Cancel.RequireRateLimiting(AlsoOnePerHour);
            jobs.Status.RequireRateLimiting(Unlimited);
        });
        using var client = app.GetTestClient();

        using var submit = await PostAsync(client);
        using var submitAgain = await PostAsync(client);
        using var cancel = await client.DeleteAsync(submit.Headers.Location);
        using var cancelAgain = await client.DeleteAsync(submit.Headers.Location);
        using var poll = await client.GetAsync(submit.Headers.Location);
        using var pollAgain = await client.GetAsync(submit.Headers.Location);

        submit.StatusCode.Should().Be(HttpStatusCode.Accepted);
        submitAgain.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        cancel.StatusCode.Should().NotBe(HttpStatusCode.TooManyRequests, "Cancel has a budget of its own, not the one Submit spent");
        cancelAgain.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        poll.StatusCode.Should().Be(HttpStatusCode.OK);
        pollAgain.StatusCode.Should().Be(HttpStatusCode.OK, "Status's own policy replaces the shared one");
    }

    [Fact]
    public async Task Metadata_added_to_one_verb_stays_on_that_verb_and_shared_metadata_reaches_all_three()
    {
        var shared = new Marker("shared");
        var statusOnly = new Marker("status");
        var submitOnly = new Marker("submit");
        await using var app = await StartAsync(jobs =>
        {
            jobs.WithMetadata(shared);
            jobs.Status.WithMetadata(statusOnly).WithName("GetEchoJob");
            jobs.Submit.WithMetadata(submitOnly);
        });

        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText!.StartsWith("/v1/echo", StringComparison.Ordinal))
            .ToDictionary(e => e.Metadata.GetRequiredMetadata<HttpMethodMetadata>().HttpMethods.Single());

        endpoints.Keys.Should().BeEquivalentTo(["POST", "GET", "DELETE"]);
        endpoints.Values.Should().AllSatisfy(e => e.Metadata.GetOrderedMetadata<Marker>().Should().Contain(shared));
        endpoints["GET"].Metadata.GetOrderedMetadata<Marker>().Should().Equal(shared, statusOnly);
        endpoints["GET"].Metadata.GetMetadata<IEndpointNameMetadata>()!.EndpointName.Should().Be("GetEchoJob");
        endpoints["POST"].Metadata.GetOrderedMetadata<Marker>().Should().Equal(shared, submitOnly);
        endpoints["DELETE"].Metadata.GetOrderedMetadata<Marker>().Should().Equal(shared);
        endpoints["POST"].Metadata.GetMetadata<IEndpointNameMetadata>().Should().BeNull();
    }

    private static async Task<WebApplication> StartAsync(Action<JobEndpointsBuilder> conventions)
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddSingleton(new JobProbe());
        builder.Services.AddProblemDetails();
        builder.Services.AddStrataJobs(o => o.RunWorkers = false).AddHandler<EchoJob, EchoHandler>();
        builder.Services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddFixedWindowLimiter(OnePerHour, OnePerHourOptions);
            o.AddFixedWindowLimiter(AlsoOnePerHour, OnePerHourOptions);
            o.AddPolicy(Unlimited, _ => RateLimitPartition.GetNoLimiter(Unlimited));
        });
        var app = builder.Build();
        app.UseRateLimiter();
        conventions(app.MapJobEndpoints<EchoJob>("/v1/echo"));
        await app.StartAsync();
        return app;

        static void OnePerHourOptions(FixedWindowRateLimiterOptions limit)
        {
            limit.PermitLimit = 1;
            limit.Window = TimeSpan.FromHours(1);
            limit.QueueLimit = 0;
        }
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client) =>
        client.PostAsync("/v1/echo", new StringContent("""{"text":"hi"}""", Encoding.UTF8, "application/json"));

    private sealed record Marker(string Name);
}
