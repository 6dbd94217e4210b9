using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Strata.RateLimiting.Store;

namespace Strata.RateLimiting.Tests;

/// <summary>The <c>strata.ratelimiting.decide</c> span a trace backend shows for each round trip to a distributed store.</summary>
public sealed class TracingTests
{
    [Fact]
    public async Task A_store_decision_is_traced_with_policy_store_and_result_and_a_failure_marks_the_span_an_error()
    {
        using var tests = new ActivitySource("Strata.RateLimiting.Tests.Tracing");
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name is "Strata.RateLimiting" or "Strata.RateLimiting.Tests.Tracing",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);

        SwitchableStore? store = null;
        await using var host = await TestHost.StartAsync(
            o => o.AddFixedWindowPolicy("per-key", RatePartition.ByApiKey, 1, TimeSpan.FromMinutes(1)),
            services => services.AddStrataRateLimiting().UseStore(
                sp => store = new SwitchableStore(sp.GetRequiredService<TimeProvider>()),
                _ => new DistributedStoreSettings { DenyCache = false }));
        var factory = host.App.Services.GetRequiredService<IRateLimiterFactory>();
        var rule = RateLimitRule.FixedWindow(1, TimeSpan.FromMinutes(1));
        using var limiter = factory.CreateLimiter("traced", "p", rule);

        ActivityTraceId trace;
        using (var parent = tests.StartActivity("parent")!)
        {
            trace = parent.TraceId;
            (await limiter.AcquireAsync(1)).Dispose();
            (await limiter.AcquireAsync(1)).Dispose();
            store!.Failing = true;
            (await limiter.AcquireAsync(1)).Dispose();
        }

        var spans = stopped.Where(a => a.TraceId == trace && a.Source.Name == "Strata.RateLimiting").ToArray();
        spans.Select(a => a.OperationName).Should().Equal("strata.ratelimiting.decide", "strata.ratelimiting.decide", "strata.ratelimiting.decide");
        spans.Should().OnlyContain(a => a.Kind == ActivityKind.Client
            && (string?)a.GetTagItem("strata.ratelimiting.policy") == "traced"
            && (string?)a.GetTagItem("strata.ratelimiting.store") == "switchable");
        spans.Select(a => (string?)a.GetTagItem("strata.ratelimiting.result")).Should().Equal("acquired", "rejected", null);
        spans.Select(a => (a.Status, a.StatusDescription)).Should().Equal(
            (ActivityStatusCode.Unset, null), (ActivityStatusCode.Unset, null), (ActivityStatusCode.Error, "store unavailable"));
    }
}
