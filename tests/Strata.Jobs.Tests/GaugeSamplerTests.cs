using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Strata.Jobs.Testing;

namespace Strata.Jobs.Tests;

/// <summary>
/// The gauges <c>strata.jobs.count</c>, <c>strata.jobs.oldest_waiting_age</c> and <c>strata.jobs.queue.depth</c>, read
/// with a <see cref="MeterListener"/> from a host on a fake clock: the sampler reads the backend every 15 s, the
/// callbacks only its last reading.
/// </summary>
public sealed class GaugeSamplerTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 18, 0, 0, TimeSpan.Zero);
    private static readonly string[] Instruments = ["strata.jobs.count", "strata.jobs.oldest_waiting_age", "strata.jobs.queue.depth"];
    private static readonly int States = Enum.GetValues<JobState>().Length;
    private readonly FakeTimeProvider _time = new(Start);
    private readonly MeterListener _listener = new();
    private readonly Dictionary<(string Instrument, string Queue, string? State), double> _values = [];
    private IHost _host = null!;
    private GaugeTestBackend _backend = null!;

    private IJobQueue Queue => _host.Services.GetRequiredService<IJobQueue>();

    public async Task InitializeAsync()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton<TimeProvider>(_time);
        builder.Services.AddSingleton(new JobProbe());
        builder.Services.AddFakeLogging();
        builder.Services.AddSingleton<InMemoryJobBackend>();
        builder.Services.AddStrataJobs(o =>
            {
                o.AddQueue("default").AddQueue("reports");
                o.RunWorkers = false;
            })
            .AddHandler<RecordJob, RecordHandler>()
            .UseBackend(services =>
            {
                var (backend, control) = GaugeTestBackend.Wrap(services.GetRequiredService<InMemoryJobBackend>());
                _backend = control;
                return backend;
            });
        _host = builder.Build();

        // Only this host's instruments: other tests' hosts in this process have meters of the same name.
        var meters = _host.Services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter.Scope, meters) && Instruments.Contains(instrument.Name))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
        await _host.StartAsync();

        // The sampler reads once as it starts (the listener is on): the gauges then report zeros for every queue and state.
        await WaitForAsync(() => Collect().Count(v => v.Key.Instrument == "strata.jobs.count") == 2 * States, "the first reading");
    }

    public async Task DisposeAsync()
    {
        _listener.Dispose();
        await _host.StopAsync();
        _host.Dispose();
    }

    [Fact]
    public async Task Gauges_report_jobs_per_queue_and_state_and_the_oldest_waiting_age_after_the_next_reading()
    {
        await Queue.EnqueueAsync(new RecordJob("a"));
        await Queue.EnqueueAsync(new RecordJob("b"));
        _time.Advance(TimeSpan.FromSeconds(10));
        await Queue.EnqueueAsync(new RecordJob("c"));
        await Queue.EnqueueAsync(new RecordJob("d"), new JobOptions { Queue = "reports" });
        await Queue.EnqueueAsync(new RecordJob("later"), new JobOptions { Queue = "reports", Delay = TimeSpan.FromHours(1) });

        var before = Collect();
        _time.Advance(TimeSpan.FromSeconds(5));
        await WaitForAsync(() => Collect().GetValueOrDefault(("strata.jobs.count", "default", "queued")) == 3, "the reading at 15 s");
        var values = Collect();

        before[("strata.jobs.count", "default", "queued")].Should().Be(0, "the gauges show the last reading, taken before the jobs came");
        values.Where(v => v.Key.Instrument == "strata.jobs.count").Should().HaveCount(2 * States, "every queue and state, zeros included");
        values[("strata.jobs.count", "reports", "queued")].Should().Be(1);
        values[("strata.jobs.count", "reports", "scheduled")].Should().Be(1);
        values[("strata.jobs.count", "default", "dead")].Should().Be(0);
        values[("strata.jobs.oldest_waiting_age", "default", null)].Should().Be(15);
        values[("strata.jobs.oldest_waiting_age", "reports", null)].Should().Be(5);
        values[("strata.jobs.queue.depth", "default", null)].Should().Be(3);
        values[("strata.jobs.queue.depth", "reports", null)].Should().Be(1);

        // Between readings the age grows with the clock; the counts stay those of the last reading.
        _time.Advance(TimeSpan.FromSeconds(10));
        Collect()[("strata.jobs.oldest_waiting_age", "default", null)].Should().Be(25);
    }

    [Fact]
    public async Task Collecting_the_gauges_never_calls_the_backend_only_the_15_second_loop_does()
    {
        var calls = _backend.CountCalls;

        for (var i = 0; i < 5; i++)
        {
            Collect();
        }

        _backend.CountCalls.Should().Be(calls);
        _time.Advance(TimeSpan.FromSeconds(15));
        await WaitForAsync(() => _backend.CountCalls == calls + 1, "the reading at 15 s");
    }

    [Fact]
    public async Task A_backend_outage_is_logged_once_the_gauges_report_nothing_and_recovery_is_logged()
    {
        var logs = _host.Services.GetFakeLogCollector();
        await Queue.EnqueueAsync(new RecordJob("waiting"));
        _backend.Unreachable = true;

        for (var tick = 0; tick < 3; tick++)
        {
            var calls = _backend.CountCalls;
            _time.Advance(TimeSpan.FromSeconds(15));
            await WaitForAsync(() => _backend.CountCalls == calls + 1, $"failed reading {tick + 1}");
        }

        await WaitForAsync(() => Collect().Count == 2, "the gauges to drop the counts and ages (only the depth stays)");
        var during = Collect();
        _backend.Unreachable = false;
        _time.Advance(TimeSpan.FromSeconds(15));
        await WaitForAsync(() => logs.GetSnapshot().Any(r => r.Id.Id == 302), "the recovery to be logged");

        var warnings = logs.GetSnapshot().Where(r => r.Level == LogLevel.Warning).ToList();
        warnings.Should().ContainSingle("three failed readings are one outage").Which.Id.Name.Should().Be("GaugeSampleFailed");
        warnings[0].Exception.Should().BeOfType<IOException>();
        during.Keys.Should().OnlyContain(k => k.Instrument == "strata.jobs.queue.depth");
        Collect()[("strata.jobs.count", "default", "queued")].Should().Be(1);
    }

    private Dictionary<(string Instrument, string Queue, string? State), double> Collect()
    {
        lock (_values)
        {
            _values.Clear();
            _listener.RecordObservableInstruments();
            return new(_values);
        }
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? queue = null;
        string? state = null;
        foreach (var tag in tags)
        {
            if (tag.Key == "strata.jobs.queue")
            {
                queue = (string?)tag.Value;
            }
            else if (tag.Key == "strata.jobs.state")
            {
                state = (string?)tag.Value;
            }
        }

        lock (_values)
        {
            _values[(instrument.Name, queue!, state)] = value;
        }
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (!condition())
        {
            if (limit.IsCancellationRequested)
            {
                throw new Xunit.Sdk.XunitException($"Timed out waiting for {what}.");
            }

            await Task.Delay(10);
        }
    }
}
