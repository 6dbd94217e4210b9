using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Strata.RateLimiting.Internal;
using Strata.RateLimiting.Store;

namespace Strata.RateLimiting.Tests;

/// <summary>The runtime's circuit log lines: "closed" is written when an open circuit recovers, and only then.</summary>
public sealed class CircuitRecoveryLogTests
{
    [Fact]
    public async Task Successful_calls_on_a_closed_circuit_log_no_recovery()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var services = new ServiceCollection()
            .AddFakeLogging()
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Debug))
            .BuildServiceProvider();
        var logs = services.GetFakeLogCollector();
        var store = new SwitchableStore(time);
        var settings = new DistributedStoreSettings { FailureThreshold = 2, BreakDuration = TimeSpan.FromSeconds(5), DenyCache = false };
        using var runtime = new RateLimitRuntime(store, settings, time, services.GetRequiredService<ILoggerFactory>());
        var definition = RateLimiterFactory.Define("api", RateLimitRule.Gcra(1000, TimeSpan.FromMinutes(1)), o => o.FailureMode = RateLimitFailureMode.FailOpen, null);
        using var limiter = new StoreRateLimiter(runtime, definition, "p");
        int Count(string eventName) => logs.GetSnapshot().Count(r => r.Id.Name == eventName);

        for (var i = 0; i < 10; i++)
        {
            (await limiter.AcquireAsync(1)).IsAcquired.Should().BeTrue();
        }

        Count("CircuitClosed").Should().Be(0, "ten successes on a circuit that never opened recover nothing");

        // The control: the same runtime does log a recovery, once, when there is one.
        store.Failing = true;
        (await limiter.AcquireAsync(1)).IsAcquired.Should().BeTrue("fail open");
        (await limiter.AcquireAsync(1)).IsAcquired.Should().BeTrue("fail open");
        Count("CircuitOpened").Should().Be(1, "two failures in a row open the circuit");
        store.Failing = false;
        time.Advance(TimeSpan.FromSeconds(5));
        for (var i = 0; i < 10; i++)
        {
            (await limiter.AcquireAsync(1)).IsAcquired.Should().BeTrue();
        }

        Count("CircuitClosed").Should().Be(1, "the probe's success closed the circuit; the nine calls after it recovered nothing");
        store.Calls.Should().Be(22, "every call but none reached the store while the circuit was closed or probing");
    }

    /// <summary>A distributed store over the in-process logic that can be made unreachable: the edge where Redis would go down.</summary>
    private sealed class SwitchableStore(TimeProvider time) : IRateLimitStore
    {
        private readonly InProcessRateLimitStore _inner = new(time);
        private int _calls;

        public volatile bool Failing;

        public int Calls => Volatile.Read(ref _calls);

        public string Name => "switchable";

        public string Description => "switchable test store";

        public bool IsDistributed => true;

        public bool TryDecide(StoreRequest request, out StoreDecision decision)
        {
            decision = default;
            return false;
        }

        public ValueTask<StoreDecision> DecideAsync(StoreRequest request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            return Failing ? throw new RateLimitStoreException("The switchable store is switched off.") : _inner.DecideAsync(request, cancellationToken);
        }

        public ValueTask ReleaseAsync(StoreRequest request) => _inner.ReleaseAsync(request);
    }
}
