using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Strata.Jobs.Tests;

/// <summary>The README's sample, compiled and run over TestServer, with source-generated JSON.</summary>
public sealed class ReadmeSampleTests
{
    [Fact]
    public async Task Readme_sample_enqueues_over_http_and_returns_the_result_serialized_by_the_source_generated_context()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddAuthorization();

        // --- README: Use ---
        builder.Services.AddStrataJobs(options =>
            {
                options.AddQueue("default").AddQueue("reports", weight: 1, maxConcurrency: 2);
                options.MaxAttempts = 5;
                options.SerializerOptions.TypeInfoResolverChain.Insert(0, AppJsonContext.Default); // optional: source generation
            })
            .AddHandler<AnalyzeDocument, AnalyzeDocumentHandler>()
            .UseInMemory(o => o.Capacity = 10_000);                  // the default; .UseRedis() scales out

        builder.Services.AddHealthChecks().AddStrataJobsHealthCheck();

        await using var app = builder.Build();
        app.Use((context, next) =>
        {
            context.User = new ClaimsPrincipal(new ClaimsIdentity([new Claim("strata:apikey:id", "key-7")], "test"));
            return next(context);
        });
        app.UseAuthorization();

        // --- README: behind authentication, each caller sees only its own jobs ---
        app.MapJobEndpoints<AnalyzeDocument>("/v1/jobs", o =>
                o.OwnerSelector = ctx => ctx.User.FindFirst("strata:apikey:id")?.Value)
            .RequireAuthorization();
        // --- end of README ---

        await app.StartAsync();
        using var client = app.GetTestClient();

        using var post = await client.PostAsJsonAsync("/v1/jobs", new AnalyzeDocument("three little words"));
        post.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var location = post.Headers.Location!.ToString();
        JsonElement status;
        do
        {
            await Task.Delay(20);
            status = await client.GetFromJsonAsync<JsonElement>(location);
        }
        while (status.GetProperty("state").GetString() is not ("Succeeded" or "Dead"));

        status.GetProperty("state").GetString().Should().Be("Succeeded");
        status.GetProperty("result").GetProperty("Words").GetInt32().Should().Be(3, "the result is written by AppJsonContext, which keeps property names as declared");
        var store = app.Services.GetRequiredService<IJobStore>();
        (await store.GetForOwnerAsync(status.GetProperty("id").GetString()!, "key-7")).Should().NotBeNull();
        await app.StopAsync();
    }

    [Fact]
    public async Task Readme_per_verb_sample_gives_submit_and_status_their_own_rate_limit_policies()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddAuthorization();
        builder.Services.AddStrataJobs().AddHandler<AnalyzeDocument, AnalyzeDocumentHandler>();

        // --- README: Conventions per verb ---
        builder.Services.AddRateLimiter(o =>
        {
            o.AddFixedWindowLimiter("submit", l => (l.PermitLimit, l.Window) = (10, TimeSpan.FromMinutes(1)));
            o.AddFixedWindowLimiter("poll", l => (l.PermitLimit, l.Window) = (600, TimeSpan.FromMinutes(1)));
        });
        // --- end of README ---

        await using var app = builder.Build();
        app.UseAuthorization();
        app.UseRateLimiter();

        // --- README: Conventions per verb ---
        var jobs = app.MapJobEndpoints<AnalyzeDocument>("/v1/jobs").RequireAuthorization(); // all three
        jobs.Submit.RequireRateLimiting("submit");   // POST only
        jobs.Status.RequireRateLimiting("poll");     // GET only: polling at Retry-After has a budget of its own
        jobs.Cancel.WithName("CancelAnalysis");      // OpenAPI metadata for one verb
        // --- end of README ---

        var endpoints = ((IEndpointRouteBuilder)app).DataSources.SelectMany(source => source.Endpoints)
            .ToDictionary(e => e.Metadata.GetRequiredMetadata<HttpMethodMetadata>().HttpMethods.Single());
        endpoints.Should().HaveCount(3);
        endpoints["POST"].Metadata.GetMetadata<EnableRateLimitingAttribute>()!.PolicyName.Should().Be("submit");
        endpoints["GET"].Metadata.GetMetadata<EnableRateLimitingAttribute>()!.PolicyName.Should().Be("poll");
        endpoints["DELETE"].Metadata.GetMetadata<EnableRateLimitingAttribute>().Should().BeNull();
        endpoints["DELETE"].Metadata.GetMetadata<IEndpointNameMetadata>()!.EndpointName.Should().Be("CancelAnalysis");
        endpoints.Values.Should().AllSatisfy(e => e.Metadata.GetMetadata<IAuthorizeData>().Should().NotBeNull());
    }
}

// The types of the README's Program.cs.
public sealed record AnalyzeDocument(string Text);

public sealed record Analysis(int Words);

public sealed class AnalyzeDocumentHandler : IJobHandler<AnalyzeDocument>
{
    public async Task HandleAsync(AnalyzeDocument job, JobContext context)
    {
        await context.ReportProgressAsync(10, "counting");
        var words = job.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
        context.SetResult(new Analysis(words), AppJsonContext.Default.Analysis);    // or SetResult(value)
    }
}

[JsonSerializable(typeof(AnalyzeDocument))]
[JsonSerializable(typeof(Analysis))]
public sealed partial class AppJsonContext : JsonSerializerContext;
