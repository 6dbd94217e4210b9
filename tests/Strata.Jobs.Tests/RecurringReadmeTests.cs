using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Strata.Jobs.Tests;

/// <summary>The "Recurring jobs" section of the README, run as written (copied from here into the README).</summary>
public sealed class RecurringReadmeTests
{
    [Fact]
    public async Task Readme_recurring_jobs_registers_in_code_and_changes_schedules_at_run_time()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddStrataJobs(o => o.AddQueue("default").AddQueue("reports"));

        // --- README: Recurring jobs (Program.cs) ---
        builder.Services.AddStrataJobs()
            .AddHandler<AnalyzeDocument, AnalyzeDocumentHandler>()
            .AddRecurring("nightly-analysis", "0 3 * * *", new AnalyzeDocument("nightly corpus"), o =>
            {
                o.TimeZone = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin"); // default UTC
                o.Misfire = RecurringMisfirePolicy.Skip;                           // default FireOnce
                o.AllowOverlap = false;                                            // default true
                o.Queue = "reports";
            });
        // --- end of README ---

        await using var app = builder.Build();
        await app.StartAsync();

        // --- README: Recurring jobs (at run time) ---
        var recurring = app.Services.GetRequiredService<IRecurringJobs>();
        await recurring.AddOrUpdateAsync("hourly-analysis", "0 * * * *", new AnalyzeDocument("hourly sample"),
            new RecurringJobOptions { Queue = "reports", MaxAttempts = 3 });
        await recurring.PauseAsync("hourly-analysis");                     // no occurrence fires; NextRunAt is null
        await recurring.ResumeAsync("hourly-analysis");                    // from the next occurrence after now
        string? triggered = await recurring.TriggerAsync("hourly-analysis"); // one job now, also when paused
        RecurringJobInfo? info = await recurring.GetAsync("hourly-analysis");
        Console.WriteLine($"next {info?.NextRunAt}, last {info?.LastRunAt}, job {info?.LastJobId}");
        await recurring.RemoveAsync("hourly-analysis");                    // jobs it enqueued are kept
        // --- end of README ---

        info!.NextRunAt.Should().Be(new DateTimeOffset(2026, 1, 1, 1, 0, 0, TimeSpan.Zero));
        info.LastJobId.Should().Be(triggered).And.NotBeNull();
        var nightly = (await recurring.ListAsync()).Should().ContainSingle().Subject;
        nightly.Name.Should().Be("nightly-analysis");
        nightly.Queue.Should().Be("reports");
        nightly.NextRunAt.Should().Be(new DateTimeOffset(2026, 1, 1, 2, 0, 0, TimeSpan.Zero), "03:00 in Berlin in winter is 02:00 UTC");
        await app.StopAsync();
    }
}
