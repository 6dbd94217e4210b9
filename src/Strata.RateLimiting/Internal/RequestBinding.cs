using Microsoft.AspNetCore.Http;

namespace Strata.RateLimiting.Internal;

/// <summary>
/// Carries the current request from a policy's <c>GetPartition</c> to the limiter call that the
/// rate-limiting middleware makes right after it on the same thread, so the limiter can write the
/// RateLimit headers on success as well as on rejection. Taken once; a mismatch is ignored.
/// </summary>
internal static class RequestBinding
{
    [ThreadStatic]
    private static HttpContext? t_context;

    [ThreadStatic]
    private static PolicyDefinition? t_policy;

    [ThreadStatic]
    private static string? t_partition;

    [ThreadStatic]
    private static string? t_tier;

    public static void Set(HttpContext context, PolicyDefinition policy, string partition, string? tier)
    {
        t_context = context;
        t_policy = policy;
        t_partition = partition;
        t_tier = tier;
    }

    public static HttpContext? Take(PolicyDefinition policy, string partition, out string? tier)
    {
        var context = t_context;
        var matches = context is not null && ReferenceEquals(t_policy, policy) && string.Equals(t_partition, partition, StringComparison.Ordinal);
        tier = matches ? t_tier : null;
        t_context = null;
        t_policy = null;
        t_partition = null;
        t_tier = null;
        return matches ? context : null;
    }
}
