using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit;
using Xunit.Sdk;

namespace Strata.Jobs.Testing;

/// <summary>How long an idempotency key holds: every backend must pass this.</summary>
public abstract partial class JobBackendContractTests
{
    /// <summary>
    /// An idempotency key gives the first job's id while its lifetime lasts, and a new job once it has passed. A
    /// backend may expire the key on the host's clock (moved here with a fake clock) or on its store's own clock (a
    /// Redis TTL, which runs on real time): the lifetime is short enough for either, and the test waits for the key to
    /// be free rather than sleeping for it.
    /// </summary>
    /// <returns>A task.</returns>
    [Fact]
    public async Task Idempotency_key_gives_a_new_job_once_its_lifetime_has_passed()
    {
        // Long enough that the second enqueue below comes well inside it on a loaded machine (a store on real time starts
        // counting at the first enqueue), short enough to wait for.
        var lifetime = TimeSpan.FromSeconds(3);
        var start = TimeProvider.System.GetUtcNow();
        var time = new FakeTimeProvider(start.AddTicks(-(start.Ticks % TimeSpan.TicksPerMillisecond)));
        var host = await StartHostAsync(o => o.IdempotencyKeyLifetime = lifetime, services: s => s.AddSingleton<TimeProvider>(time));

        var first = await host.Queue.EnqueueAsync(new EchoJob("first"), new JobOptions { IdempotencyKey = "order-7" });
        var again = await host.Queue.EnqueueAsync(new EchoJob("again"), new JobOptions { IdempotencyKey = "order-7" });
        Assert.Equal(first, again);
        await host.WaitForStateAsync(first, JobState.Succeeded);

        // The host's clock reaches the end of the lifetime; a store that keeps its own clock reaches it in real time.
        time.Advance(lifetime);
        var watch = Stopwatch.StartNew();
        var later = first;
        while (later == first)
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new XunitException($"The idempotency key still gave job {first} 30 s after its lifetime of {lifetime.TotalSeconds} s had passed on both the host's clock and the real one: it never expires.");
            }

            await Task.Delay(50);
            later = await host.Queue.EnqueueAsync(new EchoJob("later"), new JobOptions { IdempotencyKey = "order-7" });
        }

        // A backend whose idle workers wait on the host's clock sees the moved clock as their poll being overdue.
        Assert.NotEqual(first, later);
        await AdvanceUntilAsync(host, time, TimeSpan.Zero, later, i => i.State == JobState.Succeeded, "succeeded");
        Assert.Equal(new[] { "first", "later" }, host.Probe.Runs.OrderBy(r => r, StringComparer.Ordinal));
    }
}
