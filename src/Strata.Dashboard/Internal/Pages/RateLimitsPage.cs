using System.Globalization;
using Strata.RateLimiting;

namespace Strata.Dashboard.Internal.Pages;

/// <summary>
/// Every Strata rate-limit policy (rules, failure mode, shadow mode), its decisions and denials per minute, the
/// partitions it denied most, and the store's health: all as counted by this node.
/// </summary>
internal static class RateLimitsPage
{
    public static HtmlPageResult Render(DashboardRequest request, IRateLimitingMonitor monitor)
    {
        var store = monitor.GetStoreStatus();
        var policies = monitor.Policies;
        var statistics = policies.Select(p => monitor.GetStatistics(p.Name)).ToArray();
        return request.Page("Rate limits", html =>
        {
            html.Markup("<p class=\"muted\">Counted by this node since it started (the last 15 minutes, UTC); other nodes count their own.</p>");
            WriteStore(html, store);
            WritePolicies(html, policies);
            for (var i = 0; i < policies.Count; i++)
            {
                WriteStatistics(html, policies[i], statistics[i]);
            }
        });
    }

    private static void WriteStore(HtmlWriter html, RateLimitStoreStatus store)
    {
        html.Markup("<h2>Store</h2><table class=\"store\"><tbody>")
            .Markup("<tr><th scope=\"row\">Store</th><td>").Text(store.Name).Markup("</td></tr>")
            .Markup("<tr><th scope=\"row\">Description</th><td>").Text(store.Description).Markup("</td></tr>")
            .Markup("<tr><th scope=\"row\">Shared between nodes</th><td>").Text(store.IsDistributed ? "yes" : "no (this node only)").Markup("</td></tr>")
            .Markup("<tr><th scope=\"row\">Connected</th><td data-field=\"reachable\">")
            .Text(store.IsReachable ? "yes" : "no: the last call failed").Markup("</td></tr>")
            .Markup("<tr><th scope=\"row\">Circuit breaker</th><td data-field=\"circuit\">").Text(Circuit(store.CircuitState)).Markup("</td></tr>")
            .Markup("<tr><th scope=\"row\">Deny-cache hits</th><td class=\"number\" data-field=\"deny-cache-hits\">").Text(store.DenyCacheHits).Markup("</td></tr>")
            .Markup("<tr><th scope=\"row\">Deny-cache entries</th><td class=\"number\">").Text(store.DenyCacheEntries).Markup("</td></tr>")
            .Markup("</tbody></table>");
    }

    private static void WritePolicies(HtmlWriter html, IReadOnlyList<RateLimitPolicyDescription> policies)
    {
        html.Markup("<h2>Policies</h2>");
        if (policies.Count == 0)
        {
            html.Markup("<p>No Strata rate-limit policy is added (<code>AddGcraPolicy</code> and friends on <code>AddRateLimiter</code>).</p>");
            return;
        }

        html.Markup("<table class=\"policies\"><thead><tr><th scope=\"col\">Policy</th><th scope=\"col\">Partition</th><th scope=\"col\">Limits</th>")
            .Markup("<th scope=\"col\">Failure mode</th><th scope=\"col\">Shadow mode</th></tr></thead><tbody>");
        foreach (var policy in policies)
        {
            html.Markup("<tr><th scope=\"row\">").Link("#policy-" + policy.Name, policy.Name).Markup("</th><td>").Text(policy.Partition).Markup("</td><td><ul>");
            for (var i = 0; i < policy.Rules.Count; i++)
            {
                html.Markup("<li>").Text(Describe(policy.Rules[i])).Markup(" <span class=\"muted\">(").Text(policy.RuleNames[i]).Markup(")</span></li>");
            }

            html.Markup("</ul>");
            if (policy.HasTiers)
            {
                html.Markup("<span class=\"muted\">limits per plan tier, from configuration</span>");
            }

            html.Markup("</td><td>").Text(FailureMode(policy.FailureMode)).Markup("</td><td>")
                .Markup(policy.ShadowMode ? "<span class=\"badge\">shadow</span> counts, never rejects" : "off").Markup("</td></tr>");
        }

        html.Markup("</tbody></table>");
    }

    private static void WriteStatistics(HtmlWriter html, RateLimitPolicyDescription policy, RateLimitPolicyStatistics statistics)
    {
        html.Markup("<section").Attribute("id", "policy-" + policy.Name).Attribute("aria-labelledby", "policy-" + policy.Name + "-title").Markup(">")
            .Markup("<h2").Attribute("id", "policy-" + policy.Name + "-title").Markup(">Policy ").Text(policy.Name).Markup("</h2>");
        var minutes = statistics.Minutes;
        html.Markup("<table class=\"minutes\"><caption class=\"muted\">Decisions per minute, newest first</caption><thead><tr><th scope=\"col\">Minute (UTC)</th>")
            .Markup("<th scope=\"col\" class=\"number\">Decisions</th><th scope=\"col\" class=\"number\">Denied</th>")
            .Markup("<th scope=\"col\" class=\"number\">Shadow would-deny</th><th scope=\"col\" class=\"number\">Deny-cache hits</th></tr></thead><tbody>");
        for (var i = minutes.Count - 1; i >= 0; i--)
        {
            var minute = minutes[i];
            html.Markup("<tr><th scope=\"row\">").Text(minute.Start.UtcDateTime.ToString("HH:mm", CultureInfo.InvariantCulture)).Markup("</th>");
            Count(html, minute.Decisions);
            Count(html, minute.Denied);
            Count(html, minute.ShadowDenied);
            Count(html, minute.DenyCacheHits);
            html.Markup("</tr>");
        }

        html.Markup("</tbody><tfoot><tr><th scope=\"row\">15 minutes</th>");
        Count(html, minutes.Sum(m => m.Decisions), "decisions");
        Count(html, minutes.Sum(m => m.Denied), "denied");
        Count(html, minutes.Sum(m => m.ShadowDenied), "shadow-denied");
        Count(html, minutes.Sum(m => m.DenyCacheHits), "deny-cache-hits");
        html.Markup("</tr></tfoot></table><h3>Partitions denied most</h3>");
        if (statistics.TopDeniedPartitions.Count == 0)
        {
            html.Markup("<p class=\"muted\">None denied.</p></section>");
            return;
        }

        html.Markup("<table class=\"partitions\"><thead><tr><th scope=\"col\">Partition</th><th scope=\"col\" class=\"number\">Denied</th></tr></thead><tbody>");
        foreach (var partition in statistics.TopDeniedPartitions)
        {
            html.Markup("<tr><td><code>").Text(partition.Partition).Markup("</code></td><td class=\"number\">").Text(partition.Denied).Markup("</td></tr>");
        }

        html.Markup("</tbody></table></section>");
    }

    private static void Count(HtmlWriter html, long value, string? field = null)
    {
        html.Markup("<td class=\"number\"");
        if (field is not null)
        {
            html.Attribute("data-field", field);
        }

        html.Markup(">").Text(value).Markup("</td>");
    }

    internal static string Describe(RateLimitRule rule)
    {
        var period = Duration(rule.Period);
        return rule.Algorithm switch
        {
            RateLimitAlgorithm.Gcra => Invariant($"GCRA: {rule.Limit} per {period}"),
            RateLimitAlgorithm.TokenBucket => Invariant($"token bucket: {rule.Limit} tokens, {rule.TokensPerPeriod} added per {period}"),
            RateLimitAlgorithm.FixedWindow => Invariant($"fixed window: {rule.Limit} per {period}"),
            RateLimitAlgorithm.SlidingWindow => Invariant($"sliding window: {rule.Limit} per {period}"),
            RateLimitAlgorithm.Concurrency => Invariant($"concurrency: {rule.Limit} at once (permits expire after {period})"),
            _ => rule.ToString(),
        };
    }

    private static string Duration(TimeSpan period) =>
        period.TotalDays >= 1 && period.TotalDays % 1 == 0 ? Invariant($"{period.TotalDays:0} d")
        : period.TotalHours >= 1 && period.TotalHours % 1 == 0 ? Invariant($"{period.TotalHours:0} h")
        : period.TotalMinutes >= 1 && period.TotalMinutes % 1 == 0 ? Invariant($"{period.TotalMinutes:0} min")
        : period.TotalSeconds >= 1 && period.TotalSeconds % 1 == 0 ? Invariant($"{period.TotalSeconds:0} s")
        : Invariant($"{period.TotalMilliseconds:0.###} ms");

    private static string FailureMode(RateLimitFailureMode mode) => mode switch
    {
        RateLimitFailureMode.FailOpen => "fail open (admit)",
        RateLimitFailureMode.FailClosed => "fail closed (503)",
        _ => "fall back to this node's share",
    };

    private static string Circuit(RateLimitCircuitState state) => state switch
    {
        RateLimitCircuitState.Open => "open: the store is skipped, failure modes decide",
        RateLimitCircuitState.HalfOpen => "half-open: the next call probes the store",
        _ => "closed",
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
