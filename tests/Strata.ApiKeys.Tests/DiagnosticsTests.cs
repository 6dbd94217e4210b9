using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
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
    public async Task Store_lookups_are_counted_as_found_not_found_or_error()
    {
        await using var app = await TestApp.StartAsync(keys: o => o.BruteForce.Enabled = false);
        var meterFactory = app.App.Services.GetRequiredService<IMeterFactory>();
        using var lookups = new MetricCollector<long>(meterFactory, "Strata.ApiKeys", "strata.apikeys.store.lookups");
        using var duration = new MetricCollector<double>(meterFactory, "Strata.ApiKeys", "strata.apikeys.store.lookup.duration");
        var created = await app.CreateKeyAsync();

        (await app.GetAsync("/me", created.Key)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await app.GetAsync("/me", ApiKeyFormat.Generate("sk_test"))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        app.Store.ThrowOnFind = new TimeoutException("the database does not answer");
        (await app.GetAsync("/me", ApiKeyFormat.Generate("sk_test"))).StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);

        string[] expected = ["found", "not_found", "error"];
        lookups.GetMeasurementSnapshot().Select(m => (m.Value, m.Tags["strata.apikeys.result"])).Should()
            .Equal(expected.Select(result => (1L, (object?)result)), "the failed lookup is counted too, as an error");
        duration.GetMeasurementSnapshot().Select(m => m.Tags["strata.apikeys.result"]).Should().Equal(expected);
    }

    [Fact]
    public async Task Store_lookup_span_says_whether_the_key_was_found_and_marks_a_failed_lookup_as_an_error()
    {
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            // ASP.NET Core's request span carries the test's trace id (traceparent) to the lookup spans under it.
            ShouldListenTo = source => source.Name is "Strata.ApiKeys" or "Microsoft.AspNetCore",
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
        await using var app = await TestApp.StartAsync(keys: o => o.BruteForce.Enabled = false);
        var created = await app.CreateKeyAsync();

        var foundTrace = await TracedAsync(app, created.Key, HttpStatusCode.OK);
        var unknownTrace = await TracedAsync(app, ApiKeyFormat.Generate("sk_test"), HttpStatusCode.Unauthorized);
        app.Store.ThrowOnFind = new TimeoutException("the database does not answer");
        var failedTrace = await TracedAsync(app, ApiKeyFormat.Generate("sk_test"), HttpStatusCode.ServiceUnavailable);

        var found = LookupSpan(spans, foundTrace);
        found.GetTagItem("strata.apikeys.found").Should().Be(true);
        found.GetTagItem("strata.apikeys.key_id").Should().Be(created.Record.Id);
        found.Status.Should().Be(ActivityStatusCode.Unset);

        var unknown = LookupSpan(spans, unknownTrace);
        unknown.GetTagItem("strata.apikeys.found").Should().Be(false);
        unknown.GetTagItem("strata.apikeys.key_id").Should().BeNull();
        unknown.Status.Should().Be(ActivityStatusCode.Unset, "an unknown key is an answer, not a failure");

        var failed = LookupSpan(spans, failedTrace);
        failed.Status.Should().Be(ActivityStatusCode.Error);
        failed.StatusDescription.Should().Be(nameof(TimeoutException), "the status names the exception's type, never its message");
        failed.GetTagItem("strata.apikeys.found").Should().BeNull("the store gave no answer");
    }

    /// <summary>Sends the key in a trace of its own and returns the trace's id.</summary>
    private static async Task<ActivityTraceId> TracedAsync(TestApp app, string key, HttpStatusCode expected)
    {
        var traceId = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/me");
        request.Headers.TryAddWithoutValidation(ApiKeyDefaults.HeaderName, key);
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        (await app.Client.SendAsync(request)).StatusCode.Should().Be(expected);
        return traceId;
    }

    private static Activity LookupSpan(List<Activity> spans, ActivityTraceId traceId)
    {
        lock (spans)
        {
            return spans.Should().ContainSingle(s => s.TraceId == traceId && s.OperationName == "strata.apikeys.store.lookup").Subject;
        }
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
