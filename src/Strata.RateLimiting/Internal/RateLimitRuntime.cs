using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Strata.RateLimiting.Internal.Statistics;
using Strata.RateLimiting.Store;

namespace Strata.RateLimiting.Internal;

/// <summary>
/// Decides for every Strata limiter of a host: store, deny cache, circuit breaker, failure modes,
/// shadow mode, overrides, metrics and logs. One per host (a DI singleton).
/// </summary>
internal sealed partial class RateLimitRuntime : IDisposable
{
    /// <summary>Traces of store round trips, named after the package.</summary>
    public static readonly ActivitySource ActivitySource = new("Strata.RateLimiting");

    private readonly IRateLimitStore _store;
    private readonly InProcessRateLimitStore _local;
    private readonly DistributedStoreSettings _settings;
    private readonly CircuitBreaker _breaker;
    private readonly StoreOutage _outage;
    private readonly DenyCache _denyCache;
    private readonly IOptionsMonitor<StrataRateLimitingOptions>? _options;
    private readonly ILogger _logger;

    public RateLimitRuntime(
        IRateLimitStore? store = null,
        DistributedStoreSettings? settings = null,
        TimeProvider? timeProvider = null,
        ILoggerFactory? loggerFactory = null,
        IMeterFactory? meterFactory = null,
        IOptionsMonitor<StrataRateLimitingOptions>? options = null)
    {
        TimeProvider = timeProvider ?? TimeProvider.System;
        _local = new InProcessRateLimitStore(TimeProvider);
        _store = store ?? _local;
        _settings = settings ?? new DistributedStoreSettings();
        _breaker = new CircuitBreaker(_settings.FailureThreshold, _settings.BreakDuration, TimeProvider);
        _denyCache = new DenyCache(TimeProvider);
        _options = options;
        _logger = loggerFactory?.CreateLogger("Strata.RateLimiting") ?? NullLogger.Instance;
        Metrics = new RateLimitingMetrics(meterFactory);
        Statistics = new RateLimitStatistics(TimeProvider);
        _outage = new StoreOutage(_store, _settings, TimeProvider, _logger);
    }

    public TimeProvider TimeProvider { get; }

    public RateLimitingMetrics Metrics { get; }

    /// <summary>The per-node counts behind <see cref="IRateLimitingMonitor"/>.</summary>
    public RateLimitStatistics Statistics { get; }

    public IRateLimitStore Store => _store;

    public InProcessRateLimitStore LocalStore => _local;

    public CircuitBreaker Breaker => _breaker;

    public StoreOutage Outage => _outage;

    public DenyCache DenyCache => _denyCache;

    public StrataRateLimitingOptions Options => _options?.CurrentValue ?? DefaultOptions;

    private static StrataRateLimitingOptions DefaultOptions { get; } = new();

    /// <summary>The rules of <paramref name="policy"/> for one partition, after overrides by partition or tier.</summary>
    public RateLimitRule[] EffectiveRules(PolicyDefinition policy, string partition, string? tier)
    {
        if (_options is null || !_options.CurrentValue.Policies.TryGetValue(policy.Name, out var overrides) || overrides is null)
        {
            return policy.Rules;
        }

        if (!overrides.Partitions.TryGetValue(partition, out var limit)
            && (tier is null || !overrides.Tiers.TryGetValue(tier, out limit)))
        {
            return policy.Rules;
        }

        var rules = (RateLimitRule[])policy.Rules.Clone();
        rules[0] = rules[0].WithLimit(limit);
        return rules;
    }

    /// <summary>
    /// Decides without waiting when that is possible (in-process store, deny cache, open circuit); null otherwise.
    /// With <paramref name="deferRejection"/> (ASP.NET Core's middleware, which calls <c>AcquireAsync</c>
    /// after a failed attempt) only admissions are answered here, so a rejection is decided and counted once.
    /// </summary>
    public Outcome? TryAcquire(PolicyDefinition policy, string partition, RateLimitRule[] rules, int cost, bool deferRejection = false)
    {
        if (!_store.IsDistributed)
        {
            var request = BuildRequest(policy, partition, rules, cost);
            _store.TryDecide(request, out var decision);
            if (!decision.Allowed && deferRejection)
            {
                return null;
            }

            return Complete(policy, partition, rules, request, decision, DecisionSource.Store, _store);
        }

        if (deferRejection)
        {
            return null;
        }

        if (TryDenyCache(policy, partition, rules, cost, out var denied))
        {
            return denied;
        }

        if (_breaker.IsOpen && _breaker.RemainingBreak > TimeSpan.Zero)
        {
            return FailureMode(policy, partition, rules, cost);
        }

        return null;
    }

    /// <summary>
    /// Decides one request (one store round trip at most) and hands the outcome to <paramref name="tracker"/> (the
    /// limiter), whose lease is returned: one async method per decision between the limiter and the store.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<System.Threading.RateLimiting.RateLimitLease> AcquireAsync(IOutcomeTracker tracker, Microsoft.AspNetCore.Http.HttpContext? context, PolicyDefinition policy, string partition, RateLimitRule[] rules, int cost, CancellationToken cancellationToken, PartitionSlot? slot = null)
    {
        if (!_store.IsDistributed)
        {
            return tracker.Track(TryAcquire(policy, partition, rules, cost)!.Value, cost, context);
        }

        using var activity = ActivitySource.StartActivity("strata.ratelimiting.decide", ActivityKind.Client);
        activity?.SetTag("strata.ratelimiting.policy", policy.Name);
        activity?.SetTag("strata.ratelimiting.store", _store.Name);

        if (TryDenyCache(policy, partition, rules, cost, out var denied))
        {
            return tracker.Track(denied, cost, context);
        }

        if (!_breaker.TryEnter())
        {
            return tracker.Track(FailureMode(policy, partition, rules, cost), cost, context);
        }

        var request = BuildRequest(policy, partition, rules, cost, slot);
        var started = Stopwatch.GetTimestamp();
        StoreDecision decision;
        try
        {
            decision = await _store.DecideAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            _breaker.OnCanceled();
            throw;
        }
        catch (Exception ex)
        {
            Metrics.StoreDuration(_store.Name, Stopwatch.GetElapsedTime(started), failed: true);
            _outage.Failed(ex, policy.Name, policy.FailureMode);
            if (_breaker.OnFailure())
            {
                RateLimitingLog.CircuitOpened(_logger, _store.Name, _settings.BreakDuration);
            }

            RateLimitingLog.StoreFailed(_logger, _store.Name, policy.Name, policy.FailureMode, ex);
            activity?.SetStatus(ActivityStatusCode.Error, "store unavailable");
            return tracker.Track(FailureMode(policy, partition, rules, cost), cost, context);
        }

        Metrics.StoreDuration(_store.Name, Stopwatch.GetElapsedTime(started), failed: false);
        if (_breaker.OnSuccess())
        {
            RateLimitingLog.CircuitClosed(_logger, _store.Name);
        }

        _outage.Succeeded();

        activity?.SetTag("strata.ratelimiting.result", decision.Allowed ? "acquired" : "rejected");
        return tracker.Track(Complete(policy, partition, rules, request, decision, DecisionSource.Store, _store), cost, context);
    }

    public void Dispose() => Metrics.Dispose();

    private bool TryDenyCache(PolicyDefinition policy, string partition, RateLimitRule[] rules, int cost, out Outcome outcome)
    {
        outcome = default;
        if (!_settings.DenyCache || !_denyCache.TryGet(policy.Name, partition, cost, out var retryAfter, out var cached, out var until))
        {
            return false;
        }

        Metrics.DenyCacheHit(policy.Name);
        var decision = new Decision(policy.Name, rules, cached!.Results, false, DecisionSource.DenyCache, retryAfter);
        outcome = Finish(policy, partition, decision, _store.Name, null, until);
        return true;
    }

    /// <summary>
    /// Counts a rejection that a limiter answered from its own copy of a deny-cache entry (no lookup, no new
    /// decision): the same metrics and log as a deny-cache hit here. Never called in shadow mode.
    /// </summary>
    public void RecordLocalDenial(PolicyDefinition policy, string partition)
    {
        Statistics.Decided(policy, partition, allowed: false, fromDenyCache: true);
        Metrics.DenyCacheHit(policy.Name);
        Metrics.Decision(policy.Name, "rejected", _store.Name);
        RateLimitingLog.Rejected(_logger, policy.Name, DecisionSource.DenyCache);
    }

    private Outcome FailureMode(PolicyDefinition policy, string partition, RateLimitRule[] rules, int cost)
    {
        switch (policy.FailureMode)
        {
            case RateLimitFailureMode.FailOpen:
                Metrics.Fallback(policy.Name, "fail_open");
                return Finish(policy, partition, new Decision(policy.Name, rules, [], true, DecisionSource.FailOpen, TimeSpan.Zero), "fail_open", null);

            case RateLimitFailureMode.FailClosed:
                Metrics.Fallback(policy.Name, "fail_closed");
                var wait = _breaker.RemainingBreak;
                return Finish(policy, partition, new Decision(policy.Name, rules, [], false, DecisionSource.FailClosed, wait > TimeSpan.Zero ? wait : TimeSpan.FromSeconds(1)), "fail_closed", null);

            default:
                Metrics.Fallback(policy.Name, "fallback");
                var nodes = Math.Max(1, _settings.FallbackNodeCount);
                var share = new RateLimitRule[rules.Length];
                for (var i = 0; i < rules.Length; i++)
                {
                    share[i] = rules[i].WithLimit((int)Math.Ceiling((double)rules[i].Limit / nodes));
                }

                var request = BuildRequest(policy, partition, share, cost);
                _local.TryDecide(request, out var decision);
                return Complete(policy, partition, share, request, decision, DecisionSource.Fallback, _local);
        }
    }

    private Outcome Complete(PolicyDefinition policy, string partition, RateLimitRule[] rules, StoreRequest request, StoreDecision stored, DecisionSource source, IRateLimitStore store)
    {
        var retry = TimeSpan.FromTicks(stored.RetryMicros * 10);
        var decision = new Decision(policy.Name, rules, stored.Results, stored.Allowed, source, retry);
        long deniedUntil = 0;
        if (!stored.Allowed && store.IsDistributed && _settings.DenyCache && request.Cost > 0)
        {
            deniedUntil = _denyCache.Add(policy.Name, partition, request.Cost, retry, decision);
        }
        else if (stored.Allowed && stored.NoPermitForMicros > 0 && store.IsDistributed && _settings.DenyCache && request.Cost > 0)
        {
            // This admission took the last permit and the store proved none comes back for a while: requests until
            // then are rejected here, without the round trip that would only confirm it.
            var wait = TimeSpan.FromTicks(stored.NoPermitForMicros * 10);
            var results = new StoreLimitResult[stored.Results.Length];
            for (var i = 0; i < results.Length; i++)
            {
                results[i] = stored.Results[i] with { Allowed = false, Remaining = 0, RetryMicros = stored.NoPermitForMicros };
            }

            _denyCache.Add(policy.Name, partition, 1, wait, new Decision(policy.Name, rules, results, false, DecisionSource.DenyCache, wait));
        }

        Action? release = null;
        if (stored.Allowed && request.LeaseId is not null && request.Cost > 0)
        {
            release = store.IsDistributed
                ? () => _ = ReleaseAsync(store, request, policy.FailureMode)
                : () => ((InProcessRateLimitStore)store).Release(request);
        }

        return Finish(policy, partition, decision, store.Name, release, deniedUntil);
    }

    private Outcome Finish(PolicyDefinition policy, string partition, Decision decision, string storeName, Action? release, long deniedUntil = 0)
    {
        if (!decision.Allowed && policy.ShadowMode)
        {
            RateLimitingLog.ShadowRejected(_logger, policy.Name, partition);
            Statistics.ShadowDenied(policy);
            Metrics.Decision(policy.Name, "shadow_rejected", storeName);
            var admitted = new Decision(decision.Policy, decision.Rules, decision.Results, true, decision.Source, decision.RetryAfter, shadowRejected: true);
            return new Outcome(admitted, release);
        }

        Metrics.Decision(policy.Name, decision.Allowed ? "acquired" : "rejected", storeName);
        Statistics.Decided(policy, partition, decision.Allowed, decision.Source == DecisionSource.DenyCache);
        if (!decision.Allowed)
        {
            RateLimitingLog.Rejected(_logger, policy.Name, decision.Source);
        }

        return new Outcome(decision, release, deniedUntil);
    }

    private async Task ReleaseAsync(IRateLimitStore store, StoreRequest request, RateLimitFailureMode failureMode)
    {
        try
        {
            await store.ReleaseAsync(request).ConfigureAwait(false);
            _outage.Succeeded();
        }
        catch (Exception ex)
        {
            // The permit expires with its lifetime; a failed release only holds it until then.
            _outage.Failed(ex, request.Policy, failureMode);
            RateLimitingLog.ReleaseFailed(_logger, store.Name, request.Policy, ex);
        }
    }

    private static StoreRequest BuildRequest(PolicyDefinition policy, string partition, RateLimitRule[] rules, int cost, PartitionSlot? slot = null)
    {
        var specs = ReferenceEquals(rules, policy.Rules) ? policy.Specs : new StoreLimit[rules.Length];
        for (var i = 0; i < rules.Length && specs != policy.Specs; i++)
        {
            specs[i] = StoreLimit.From(rules[i]);
        }

        return new StoreRequest(policy.Name, partition, specs, cost, policy.HasConcurrency ? Guid.NewGuid().ToString("N") : null, slot);
    }
}
