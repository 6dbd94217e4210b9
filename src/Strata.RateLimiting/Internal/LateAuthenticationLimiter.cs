using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Strata.RateLimiting.Internal;

/// <summary>
/// The limiter of a policy partitioned by API key, claim or user for the requests that reach it before authentication
/// ran (<c>app.UseRateLimiter()</c> placed before <c>app.UseAuthentication()</c>). Left alone, every such request would
/// read an anonymous user and all keys would share the one <c>anonymous:{address}</c> bucket, so that a request without
/// a key got 429 instead of 401. Instead this limiter logs one warning per host naming the fix, authenticates the
/// request with the default scheme (what the authentication middleware does; the handler's result is cached for the
/// request, so the middleware later gets the same result), and decides on the partition of the user it found.
/// </summary>
/// <remarks>
/// ASP.NET Core's authentication middleware sets <see cref="IAuthenticationFeature"/> on every request it sees,
/// authenticated or not: its absence, with authentication registered, means it has not run yet. A partition's key is
/// resolved synchronously, authentication is asynchronous: this limiter answers <see cref="RateLimiter.AttemptAcquire(int)"/>
/// with a lease that is not acquired and carries no metadata, and the middleware then calls
/// <see cref="RateLimiter.AcquireAsync(int, CancellationToken)"/>, where the request is authenticated and decided.
/// </remarks>
internal sealed class LateAuthenticationLimiter(RateLimitRuntime runtime, PolicyDefinition policy) : RateLimiter
{
    /// <summary>The partition key of requests that wait for authentication; no claim or address produces it.</summary>
    public const string PartitionKey = "\0authenticate";

    /// <summary>The one limiter of this policy's waiting requests never idles out.</summary>
    public override TimeSpan? IdleDuration => null;

    /// <summary>
    /// True when <paramref name="partition"/> is the anonymous partition of a policy that reads the user, authentication
    /// is registered, and its middleware has not run for this request.
    /// </summary>
    public static bool IsNeeded(PolicyDefinition policy, string partition, HttpContext context) =>
        policy.Partition is { ReadsUser: true }
        && partition.StartsWith(RatePartition.AnonymousPrefix, StringComparison.Ordinal)
        && context.Features.Get<IAuthenticationFeature>() is null
        && context.RequestServices.GetService<IAuthenticationSchemeProvider>() is not null;

    public override RateLimiterStatistics? GetStatistics() => null;

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        RequestBinding.Take(policy, PartitionKey, out _);
        return StoreLease.Deferred;
    }

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        var context = RequestBinding.Take(policy, PartitionKey, out _)
            ?? throw new InvalidOperationException($"Rate-limit policy '{policy.Name}' decides requests that wait for authentication only through the rate-limiting middleware.");

        var schemes = context.RequestServices.GetRequiredService<IAuthenticationSchemeProvider>();
        var scheme = await schemes.GetDefaultAuthenticateSchemeAsync().ConfigureAwait(false);
        if (scheme is not null)
        {
            runtime.WarnAuthenticationAfterRateLimiter(policy, scheme.Name);
            var result = await context.AuthenticateAsync(scheme.Name).ConfigureAwait(false);
            if (result.Principal is not null)
            {
                context.User = result.Principal;
            }
        }

        // Limiters keep no counts of their own (the store does), so one for this request decides like the partition's.
        var partition = policy.Partition!.Resolve(context);
        var limiter = new StoreRateLimiter(runtime, policy, partition);
        RequestBinding.Set(context, policy, partition, policy.TierSelector?.Invoke(context));
        return await limiter.AcquireAsync(permitCount, cancellationToken).ConfigureAwait(false);
    }
}
