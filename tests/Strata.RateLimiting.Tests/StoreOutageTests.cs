using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Strata.RateLimiting.Internal;
using Strata.RateLimiting.Store;

namespace Strata.RateLimiting.Tests;

/// <summary>The two lines a store outage writes: what failed when it starts, how long it lasted when it ends.</summary>
public sealed class StoreOutageTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly ServiceProvider _services;
    private readonly FakeLogCollector _logs;
    private readonly StoreOutage _outage;

    public StoreOutageTests()
    {
        _services = new ServiceCollection()
            .AddFakeLogging()
            .AddLogging(b => b.SetMinimumLevel(LogLevel.Debug))
            .BuildServiceProvider();
        _logs = _services.GetFakeLogCollector();
        var settings = new DistributedStoreSettings { FailureThreshold = 3, BreakDuration = TimeSpan.FromSeconds(5) };
        var logger = _services.GetRequiredService<ILoggerFactory>().CreateLogger("Strata.RateLimiting");
        _outage = new StoreOutage(new InProcessRateLimitStore(_time), settings, _time, logger);
    }

    [Fact]
    public void Outage_logs_name_the_store_error_and_the_outage_duration()
    {
        _time.Advance(TimeSpan.FromMinutes(3));
        var refused = new RateLimitStoreException("Redis 10.0.0.5:6379 refused the connection (SocketFailure).");

        _outage.Failed(refused, "api", RateLimitFailureMode.FallbackToLocal);
        _time.Advance(TimeSpan.FromSeconds(20));
        _outage.Failed(new RateLimitStoreException("Redis 10.0.0.5:6379 timed out."), "api", RateLimitFailureMode.FallbackToLocal);

        var started = _logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "StoreOutageStarted", "one line however many failures").Subject;
        _outage.IsActive.Should().BeTrue();
        started.Level.Should().Be(LogLevel.Warning);
        State(started, "Failure").Should().Be(refused.Message, "a store's own exception says what failed");
        State(started, "Store").Should().Be("in-process store (this node only)");
        State(started, "Policy").Should().Be("api");
        State(started, "FailureMode").Should().Be("FallbackToLocal");
        started.Message.Should().Contain(refused.Message);
        started.Exception.Should().BeNull("a known store failure needs no stack");

        _time.Advance(TimeSpan.FromSeconds(22));
        _outage.Succeeded();
        _outage.Succeeded();

        var ended = _logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "StoreOutageEnded", "one line when it ends").Subject;
        _outage.IsActive.Should().BeFalse();
        ended.Level.Should().Be(LogLevel.Information);
        TimeSpan.Parse(State(ended, "Duration")!, CultureInfo.InvariantCulture).Should().Be(TimeSpan.FromSeconds(42), "from the first failure to the first success");
    }

    [Fact]
    public void Unexpected_store_error_is_logged_by_its_type_with_its_stack()
    {
        var unexpected = new InvalidOperationException("Sequence contains no elements");

        _outage.Failed(unexpected, "api", RateLimitFailureMode.FailClosed);

        var started = _logs.GetSnapshot().Should().ContainSingle(r => r.Id.Name == "StoreOutageStarted").Subject;
        State(started, "Failure").Should().Be(nameof(InvalidOperationException));
        started.Message.Should().NotContain(unexpected.Message, "an unexpected exception's message is not known to be free of secrets");
        started.Exception.Should().BeSameAs(unexpected, "its stack is logged this once");
    }

    [Fact]
    public void A_success_without_an_outage_logs_nothing()
    {
        _outage.Succeeded();
        _outage.Failed(new RateLimitStoreException("down"), "api", RateLimitFailureMode.FailOpen);
        _outage.Succeeded();

        // The outage that did happen is the control: its end is logged once; the success before it logged nothing.
        _logs.GetSnapshot().Select(r => r.Id.Name).Should().Equal("StoreOutageStarted", "StoreOutageEnded");
    }

    public void Dispose() => _services.Dispose();

    private static string? State(FakeLogRecord record, string key) => record.StructuredState!.Single(kv => kv.Key == key).Value;
}
