using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Strata.ApiKeys;
using Strata.Sample.Api.Tests.Infrastructure;

namespace Strata.Sample.Api.Tests;

public sealed class DemoKeyTests(SampleApiFactory factory) : IClassFixture<SampleApiFactory>
{
    [Fact]
    public async Task First_run_prints_a_demo_key_once_with_a_curl_line_and_the_key_is_never_logged()
    {
        var key = factory.DemoKey();
        var banner = factory.ConsoleOutput.ToString();
        banner.Should().Contain($"-H \"X-Api-Key: {key}\"").And.Contain("curl -s http://127.0.0.1:");
        System.Text.RegularExpressions.Regex.Matches(banner, "First run").Should().HaveCount(1);

        using var client = factory.CreateClient(key);
        using var analyze = await client.PostTextAsync("/v1/analyze", "A calm and pleasant first request.");
        using var job = await client.PostTextAsync("/v1/jobs", "Another document for the queue.");
        using var admin = await client.GetAsync("/admin/keys");

        analyze.StatusCode.Should().Be(HttpStatusCode.OK);
        job.StatusCode.Should().Be(HttpStatusCode.Accepted);
        admin.StatusCode.Should().Be(HttpStatusCode.Forbidden, "the demo key has analyze and jobs:write only");
        await JobEndpointTests.PollUntilFinishedAsync(client, job.Headers.Location!.ToString());

        factory.Logs.Lines.Should().NotBeEmpty();
        factory.Logs.All.Should().NotContain(key);
        factory.Logs.All.Should().NotContain(key[^20..], "no part of the secret is logged either");

        var records = await factory.Services.GetRequiredService<IApiKeyManager>().ListAsync();
        records.Should().ContainSingle(record => record.Name == "demo")
            .Which.Scopes.Should().BeEquivalentTo("analyze", "jobs:write");
    }

    [Fact]
    public async Task A_restart_on_the_same_database_prints_no_new_key()
    {
        var directory = Path.Combine(Path.GetTempPath(), "strata-sample-tests", Guid.NewGuid().ToString("N"));
        try
        {
            string firstKey;
            await using (var first = new SampleApiFactory(directory))
            {
                firstKey = first.DemoKey();
            }

            await using var second = new SampleApiFactory(directory);
            second.StartServer();
            second.ConsoleOutput.ToString().Should().NotContain("First run");
            using var client = second.CreateClient(firstKey);
            using var response = await client.PostTextAsync("/v1/analyze", "The key from the first run still works.");
            response.StatusCode.Should().Be(HttpStatusCode.OK);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }
}
