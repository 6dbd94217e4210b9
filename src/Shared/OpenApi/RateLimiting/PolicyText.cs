using System.Globalization;
using System.Text;
using Strata.RateLimiting;

namespace Strata.Shared.OpenApi;

/// <summary>A policy's limits in words, for the 429 description, and in the RateLimit-Policy header's syntax.</summary>
internal static class PolicyText
{
    public static string TooManyRequests(RateLimitPolicyDescription policy)
    {
        var text = new StringBuilder("Too many requests: policy '").Append(policy.Name).Append("' allows ");
        for (var i = 0; i < policy.Rules.Count; i++)
        {
            if (i > 0)
            {
                text.Append(i == policy.Rules.Count - 1 ? " and " : ", ");
            }

            text.Append(Limit(policy.Rules[i]));
        }

        text.Append(Partition(policy.Partition));
        if (policy.HasTiers)
        {
            text.Append(" (the limits shown are the defaults; a plan tier may set others)");
        }

        return text.Append(". Retry after the seconds in Retry-After.").ToString();
    }

    /// <summary>The value of <c>RateLimit-Policy</c> for the policy's default limits, for example <c>"per-key";q=100;w=60</c>.</summary>
    public static string PolicyHeader(RateLimitPolicyDescription policy)
    {
        var text = new StringBuilder("The policy's limits, for example ");
        for (var i = 0; i < policy.Rules.Count; i++)
        {
            var rule = policy.Rules[i];
            text.Append(i > 0 ? ", " : string.Empty).Append('"').Append(policy.RuleNames[i]).Append("\";q=").Append(rule.Limit.ToString(CultureInfo.InvariantCulture));
            if (rule.Algorithm != RateLimitAlgorithm.Concurrency)
            {
                text.Append(";w=").Append(((long)Math.Ceiling(rule.Period.TotalSeconds)).ToString(CultureInfo.InvariantCulture));
            }
        }

        return text.Append('.').ToString();
    }

    private static string Partition(string description) => description switch
    {
        "claim:" + RatePartition.ApiKeyIdClaimType => " per API key",
        "user" => " per user",
        "client-address" => " per client address",
        "route" => " per route",
        "global" => " for all callers together",
        _ when description.StartsWith("claim:", StringComparison.Ordinal) => $" per value of the {description["claim:".Length..]} claim",
        _ => $" per partition ({description})",
    };

    private static string Limit(RateLimitRule rule) => rule.Algorithm switch
    {
        RateLimitAlgorithm.TokenBucket => $"bursts of {rule.Limit} with {rule.TokensPerPeriod} more every {Period(rule.Period)}",
        RateLimitAlgorithm.FixedWindow => $"{Requests(rule.Limit)} per fixed window of {Period(rule.Period)}",
        RateLimitAlgorithm.SlidingWindow => $"{Requests(rule.Limit)} in any {Period(rule.Period)}",
        RateLimitAlgorithm.Concurrency => $"{Requests(rule.Limit)} at a time",
        _ => $"{Requests(rule.Limit)} per {Every(rule.Period)}",
    };

    /// <summary>"1 request", "5 requests".</summary>
    private static string Requests(long limit) => limit == 1 ? "1 request" : $"{limit.ToString(CultureInfo.InvariantCulture)} requests";

    /// <summary>"minute" for one minute, "10 seconds" for ten: what follows "per".</summary>
    private static string Every(TimeSpan period) => Period(period) is var text && text.StartsWith("1 ", StringComparison.Ordinal) ? text[2..] : text;

    private static string Period(TimeSpan period) => period switch
    {
        { TotalDays: >= 1 } when period.TotalDays == Math.Floor(period.TotalDays) => Unit(period.TotalDays, "day"),
        { TotalHours: >= 1 } when period.TotalHours == Math.Floor(period.TotalHours) => Unit(period.TotalHours, "hour"),
        { TotalMinutes: >= 1 } when period.TotalMinutes == Math.Floor(period.TotalMinutes) => Unit(period.TotalMinutes, "minute"),
        { TotalSeconds: >= 1 } when period.TotalSeconds == Math.Floor(period.TotalSeconds) => Unit(period.TotalSeconds, "second"),
        _ => Unit(period.TotalMilliseconds, "millisecond"),
    };

    private static string Unit(double count, string unit) =>
        count == 1 ? "1 " + unit : $"{count.ToString(CultureInfo.InvariantCulture)} {unit}s";
}
