using System.Net;
using System.Text.Json;
using Strata.Jobs;
using Strata.Jobs.Testing;

namespace Strata.Dashboard.Tests;

/// <summary>The JSON series behind the overview's charts: guarded like every page, and counting real jobs and real decisions in the right bucket.</summary>
public sealed class LiveSeriesTests
{
    private const string Csp =
        "default-src 'none'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    [Fact]
    public async Task The_series_require_the_policy_and_carry_the_dashboard_headers()
    {
        await using var app = await DashboardTestApp.StartAsync();
        using var ops = app.Browser();
        using var anonymous = app.Browser(user: null);
        using var outsider = app.Browser(roles: "reader");

        var refusedAnonymous = await anonymous.GetAsync("/strata/live");
        var refusedOutsider = await outsider.GetAsync("/strata/live");
        var served = await ops.GetAsync("/strata/live");

        refusedAnonymous.Status.Should().Be(HttpStatusCode.Unauthorized);
        refusedAnonymous.Body.Should().NotContain("jobsSucceeded");
        refusedOutsider.Status.Should().Be(HttpStatusCode.Forbidden);
        refusedOutsider.Body.Should().NotContain("jobsSucceeded");
        served.Status.Should().Be(HttpStatusCode.OK);
        served.ContentHeaders!.ContentType!.MediaType.Should().Be("application/json");
        foreach (var (what, page) in new[] { ("anonymous", refusedAnonymous), ("outsider", refusedOutsider), ("served", served) })
        {
            page.Headers.GetValues("Content-Security-Policy").Should().Equal([Csp], what);
            page.Headers.GetValues("X-Content-Type-Options").Should().Equal(["nosniff"], what);
            page.Headers.CacheControl!.ToString().Should().Be("no-store", what);
        }

        using var body = JsonDocument.Parse(served.Body);
        body.RootElement.GetProperty("resolutionSeconds").GetDouble().Should().Be(5);
        body.RootElement.GetProperty("jobs").GetBoolean().Should().BeTrue("this host registered Strata.Jobs");
        body.RootElement.GetProperty("series").GetProperty("jobsSucceeded").GetArrayLength().Should().Be(180, "15 minutes of 5-second buckets");
    }

    [Fact]
    public async Task Jobs_that_ran_and_rate_limit_decisions_show_in_the_bucket_of_the_time_they_happened()
    {
        var (app, time) = await LiveDashboardHost.StartAsync();
        await using var _ = app;
        using var ops = app.Browser();

        foreach (var i in Enumerable.Range(0, 3))
        {
            await app.WaitForStateAsync(await app.Queue.EnqueueAsync(new RecordJob($"first-{i}")), JobState.Succeeded);
        }

        await app.MakeDeadJobsAsync("flaky", 2);
        (await LiveDashboardHost.HitLimitedAsync(app, 5)).Should().Be(3, "the window lets two of five through");
        await WaitForTotalsAsync(ops, succeeded: 3, failed: 2);

        time.Advance(TimeSpan.FromSeconds(5));   // 12:00:06: the next bucket
        await app.WaitForStateAsync(await app.Queue.EnqueueAsync(new RecordJob("second")), JobState.Succeeded);
        var body = await WaitForTotalsAsync(ops, succeeded: 4, failed: 2);

        var root = body.RootElement;
        var nowBucket = time.GetUtcNow().ToUnixTimeSeconds() / 5;
        root.GetProperty("start").GetDouble().Should().Be((nowBucket - 179) * 5, "the last of 180 buckets is the current one");
        root.GetProperty("rateLimiting").GetBoolean().Should().BeTrue();
        Series(root, "jobsSucceeded")[^1].Should().Be(1);
        Series(root, "jobsSucceeded")[^2].Should().Be(3);
        Series(root, "jobsFailed")[^2].Should().Be(2);
        Series(root, "jobsFailed")[^1].Should().Be(0);
        Series(root, "decisions")[^2].Should().Be(5);
        Series(root, "denials")[^2].Should().Be(3);
        Series(root, "decisions").Sum().Should().Be(5, "nothing else was decided");
        Series(root, "jobsSucceeded").Sum().Should().Be(4);
    }

    /// <summary>Reads the series until the job totals reach the given numbers (a counter is recorded just after the state is stored).</summary>
    internal static async Task<JsonDocument> WaitForTotalsAsync(TestBrowser ops, long succeeded, long failed)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            var page = await ops.OpenAsync("/strata/live");
            var body = JsonDocument.Parse(page.Body);
            var (s, f) = (Series(body.RootElement, "jobsSucceeded").Sum(), Series(body.RootElement, "jobsFailed").Sum());
            if (s == succeeded && f == failed)
            {
                return body;
            }

            body.Dispose();
            if (limit.IsCancellationRequested)
            {
                throw new Xunit.Sdk.XunitException($"The series counted {s} succeeded and {f} failed, not {succeeded} and {failed}.");
            }

            await Task.Delay(10);
        }
    }

    internal static long[] Series(JsonElement root, string name) =>
        [.. root.GetProperty("series").GetProperty(name).EnumerateArray().Select(v => v.GetInt64())];
}
