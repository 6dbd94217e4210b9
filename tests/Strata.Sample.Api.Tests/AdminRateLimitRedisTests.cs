using System.Net;
using System.Text.RegularExpressions;
using Strata.Sample.Api.Tests.Infrastructure;
using Strata.Testing;

namespace Strata.Sample.Api.Tests;

/// <summary>
/// Two api-role processes on one real redis-server: the admin limit of a key is one count in Redis, so requests to
/// either process spend it, and the one past the limit gets 429 with Retry-After whichever process it reaches.
/// </summary>
public sealed class AdminRateLimitRedisTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task Two_api_processes_share_one_admin_limit_per_key_through_redis()
    {
        await using var redis = await RedisServer.StartAsync();
        var directory = Path.Combine(Path.GetTempPath(), "strata-sample-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var environment = new Dictionary<string, string>
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["ConnectionStrings__Database"] = $"Data Source={Path.Combine(directory, "sample.db")}",
                ["ConnectionStrings__Redis"] = redis.ConnectionString,
                ["Api__AdminRequestsPerMinute"] = "3",
            };

            string key;
            await using (var keys = HostProcess.Start(environment, "keys", "create", "--name", "ops", "--scopes", "admin"))
            {
                (await keys.WaitForExitAsync(StartTimeout)).Should().Be(0, keys.Output);
                key = Regex.Match(keys.Output, @"sk_sample_[0-9A-Za-z]{49}").Value;
            }

            var (firstPort, secondPort) = (CommandLineTests.FreePort(), CommandLineTests.FreePort());
            await using var first = HostProcess.Start(new Dictionary<string, string>(environment) { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{firstPort}" }, "--role", "api");
            await using var second = HostProcess.Start(new Dictionary<string, string>(environment) { ["ASPNETCORE_URLS"] = $"http://127.0.0.1:{secondPort}" }, "--role", "api");
            using var firstClient = await ReadyClientAsync(firstPort, first, key);
            using var secondClient = await ReadyClientAsync(secondPort, second, key);

            var remaining = new List<long>();
            foreach (var client in new[] { firstClient, secondClient, firstClient })
            {
                using var admitted = await client.GetAsync("/admin/keys");
                admitted.StatusCode.Should().Be(HttpStatusCode.OK, first.Output + second.Output);
                RateLimitHeader.Quota(admitted, "admin").Should().Be(3);
                remaining.Add(RateLimitHeader.Remaining(admitted, "admin"));
            }

            using var rejected = await secondClient.GetAsync("/admin/keys");

            remaining.Should().Equal([2, 1, 0], "both processes spend the same count in Redis");
            var problem = await AnalyzeEndpointTests.ShouldBeProblemAsync(rejected, HttpStatusCode.TooManyRequests);
            problem.GetProperty("violated-policies")[0].GetString().Should().Be("admin");
            rejected.Headers.RetryAfter!.Delta!.Value.Should().BePositive();
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<HttpClient> ReadyClientAsync(int port, HostProcess host, string key)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        using var limit = new CancellationTokenSource(StartTimeout);
        while (true)
        {
            host.HasExited.Should().BeFalse($"the api process runs:\n{host.Output}");
            try
            {
                using var response = await client.GetAsync("/health/ready", limit.Token);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    break;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100, limit.Token);
        }

        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }
}
