using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace Strata.ApiKeys.Tests;

public sealed class DiagnosticsTests
{
    [Fact]
    public async Task Meter_counts_results_by_reason_and_store_lookups()
    {
        await using var app = await TestApp.StartAsync(keys: o => o.BruteForce.Enabled = false);
        var meterFactory = app.App.Services.GetRequiredService<IMeterFactory>();
        using var results = new MetricCollector<long>(meterFactory, "Strata.ApiKeys", "strata.apikeys.authentications");
        using var lookups = new MetricCollector<long>(meterFactory, "Strata.ApiKeys", "strata.apikeys.store.lookups");
        using var duration = new MetricCollector<double>(meterFactory, "Strata.ApiKeys", "strata.apikeys.store.lookup.duration");
        var created = await app.CreateKeyAsync();

        await app.GetAsync("/me", created.Key);
        await app.GetAsync("/me", "sk_test_bad");
        await app.GetAsync("/me", ApiKeyFormat.Generate("sk_test"));

        results.GetMeasurementSnapshot().Select(m => m.Tags["strata.apikeys.result"]).Should().BeEquivalentTo(["success", "malformed", "unknown"]);
        lookups.GetMeasurementSnapshot().Should().HaveCount(2, "the malformed key never reached the store");
        duration.GetMeasurementSnapshot().Should().HaveCount(2).And.OnlyContain(m => m.Value >= 0);
    }

    [Fact]
    public async Task Store_lookups_run_inside_an_activity_span()
    {
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Strata.ApiKeys",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                lock (spans)
                {
                    spans.Add(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        await using var app = await TestApp.StartAsync();
        var created = await app.CreateKeyAsync();

        await app.GetAsync("/me", created.Key);

        List<Activity> ours;
        lock (spans)
        {
            ours = spans.Where(s => s.GetTagItem("strata.apikeys.key_id") as string == created.Record.Id).ToList();
        }

        ours.Should().ContainSingle().Which.OperationName.Should().Be("strata.apikeys.store.lookup");
    }

    [Fact]
    public async Task Log_events_have_stable_ids_and_name_the_key_id_only()
    {
        await using var app = await TestApp.StartAsync(keys: o => o.BruteForce.Enabled = false);
        var created = await app.CreateKeyAsync();
        await app.Manager.DisableAsync(created.Record.Id);

        await app.GetAsync("/me", "sk_test_bad");
        await app.GetAsync("/me", ApiKeyFormat.Generate("sk_test"));
        await app.GetAsync("/me", created.Key);

        var records = app.Logs.GetSnapshot();
        records.Should().Contain(r => r.Id.Id == 2 && r.Id.Name == "KeyMalformed");
        records.Should().Contain(r => r.Id.Id == 3 && r.Id.Name == "KeyUnknown");
        records.Should().Contain(r => r.Id.Id == 4 && r.Id.Name == "KeyRejected" && r.Message.Contains(created.Record.Id, StringComparison.Ordinal) && r.Message.Contains("disabled", StringComparison.Ordinal));
        records.Should().Contain(r => r.Id.Id == 20 && r.Id.Name == "KeyCreated");
        records.Should().Contain(r => r.Id.Id == 22 && r.Id.Name == "KeyDisabled");
    }
}
