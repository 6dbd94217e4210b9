using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Strata.Testing;

namespace Strata.Jobs.Redis.Tests;

/// <summary>The README's Program.cs, as written there (plus TestServer, the connection string and a key prefix of its own), run against a real redis-server.</summary>
public sealed class ReadmeSampleTests(RedisFixture redis) : IClassFixture<RedisFixture>
{
    [Fact]
    public async Task Readme_program_runs_a_submitted_job_through_redis()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:redis"] = redis.Server.ConnectionString });
        builder.Services.Configure<RedisJobsOptions>(o => o.KeyPrefix = RedisFixture.UniquePrefix());

        // --- README: the Program.cs ---
        builder.Services.AddSingleton<IConnectionMultiplexer>(_ =>
        {
            var options = ConfigurationOptions.Parse(builder.Configuration.GetConnectionString("redis")!);
            options.AbortOnConnectFail = false;      // start while Redis is down; reconnect on its own
            return ConnectionMultiplexer.Connect(options);
        });

        builder.Services.AddStrataJobs()
            .AddHandler<AnalyzeDocument, AnalyzeDocumentHandler>()
            .UseRedis();                             // uses the IConnectionMultiplexer above
        builder.Services.AddHealthChecks().AddStrataJobsHealthCheck();

        await using var app = builder.Build();
        app.MapJobEndpoints<AnalyzeDocument>("/v1/jobs");
        app.MapHealthChecks("/health");
        // --- end of README ---

        await app.StartAsync();
        using var client = app.GetTestClient();

        (await client.GetAsync("/health")).StatusCode.Should().Be(HttpStatusCode.OK);
        using var post = await client.PostAsJsonAsync("/v1/jobs", new AnalyzeDocument("three little words"));
        post.StatusCode.Should().Be(HttpStatusCode.Accepted);
        var location = post.Headers.Location!.ToString();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string? state;
        do
        {
            await Task.Delay(20);
            using var status = JsonDocument.Parse(await client.GetStringAsync(location));
            state = status.RootElement.GetProperty("state").GetString();
        }
        while (state is not ("Succeeded" or "Dead") && DateTime.UtcNow < deadline);

        state.Should().Be("Succeeded");
        await app.StopAsync();
    }

    public sealed record AnalyzeDocument(string Text);

    public sealed class AnalyzeDocumentHandler : IJobHandler<AnalyzeDocument>
    {
        public Task HandleAsync(AnalyzeDocument job, JobContext context) => Task.CompletedTask; // idempotent: may run twice
    }
}
