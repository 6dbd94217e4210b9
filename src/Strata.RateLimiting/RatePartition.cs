using System.Security.Claims;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Strata.Shared;

namespace Strata.RateLimiting;

/// <summary>
/// How a policy splits requests into partitions, each with limits of its own: by API key, by
/// user, by client address, by route, one global partition, or a function of your own.
/// </summary>
public sealed class RatePartition
{
    /// <summary>The claim type Strata.ApiKeys writes with the key id: <c>strata:apikey:id</c>.</summary>
    public const string ApiKeyIdClaimType = "strata:apikey:id";

    /// <summary>The prefix of the partition of a request that has no key or user: <c>anonymous:</c> followed by the client address.</summary>
    public const string AnonymousPrefix = "anonymous:";

    private readonly Func<HttpContext, string> _resolve;

    private RatePartition(string description, Func<HttpContext, string> resolve, bool readsUser = false)
    {
        Description = description;
        _resolve = resolve;
        ReadsUser = readsUser;
    }

    /// <summary>By API key: the <see cref="ApiKeyIdClaimType"/> claim; requests without it are partitioned by client address.</summary>
    public static RatePartition ByApiKey { get; } = ByClaim(ApiKeyIdClaimType);

    /// <summary>By authenticated user (the <see cref="ClaimTypes.NameIdentifier"/> claim, else the identity name); anonymous requests by client address.</summary>
    public static RatePartition ByUser { get; } = new("user", context =>
    {
        var user = context.User;
        if (user.Identity?.IsAuthenticated == true)
        {
            var id = user.FindFirst(ClaimTypes.NameIdentifier)?.Value ?? user.Identity.Name;
            if (!string.IsNullOrEmpty(id))
            {
                return id;
            }
        }

        return Anonymous(context);
    }, readsUser: true);

    /// <summary>
    /// By client address (<see cref="ConnectionInfo.RemoteIpAddress"/>; IPv6 by its /64 prefix). Forwarded
    /// headers count only when the host configured <c>UseForwardedHeaders</c>, which rewrites that address.
    /// </summary>
    public static RatePartition ByClientAddress { get; } = new("client-address", ClientAddress);

    /// <summary>By route: the endpoint's route pattern (for example <c>/v1/items/{id}</c>), else the request path.</summary>
    public static RatePartition ByRoute { get; } = new("route", context =>
        (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path.Value ?? "/");

    /// <summary>One partition for every request.</summary>
    public static RatePartition Global { get; } = new("global", static _ => "global");

    /// <summary>A description for logs and diagnostics.</summary>
    public string Description { get; }

    /// <summary>
    /// True when the key comes from the authenticated user (<see cref="ByApiKey"/>, <see cref="ByClaim"/>, <see cref="ByUser"/>):
    /// such a partition needs authentication to have run before the rate limiter.
    /// </summary>
    internal bool ReadsUser { get; }

    /// <summary>By the first claim of <paramref name="claimType"/>; requests without it are partitioned by client address.</summary>
    /// <param name="claimType">The claim type, for example <see cref="ApiKeyIdClaimType"/>.</param>
    public static RatePartition ByClaim(string claimType)
    {
        ArgumentException.ThrowIfNullOrEmpty(claimType);
        return new("claim:" + claimType, context =>
        {
            var value = context.User.FindFirst(claimType)?.Value;
            return string.IsNullOrEmpty(value) ? Anonymous(context) : value;
        }, readsUser: true);
    }

    /// <summary>By a function of your own. A null or empty result is one shared partition named <c>""</c>.</summary>
    /// <param name="resolve">Returns the partition key of a request; keep it cheap.</param>
    /// <param name="description">A description for logs.</param>
    public static RatePartition Custom(Func<HttpContext, string?> resolve, string description = "custom")
    {
        ArgumentNullException.ThrowIfNull(resolve);
        ArgumentNullException.ThrowIfNull(description);
        return new(description, context => resolve(context) ?? string.Empty);
    }

    /// <summary>The partition key of a request.</summary>
    /// <param name="context">The request.</param>
    public string Resolve(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return _resolve(context);
    }

    /// <inheritdoc />
    public override string ToString() => Description;

    private static string Anonymous(HttpContext context) => AnonymousPrefix + ClientAddress(context);

    private static string ClientAddress(HttpContext context) => ClientAddressKey.Of(context.Connection.RemoteIpAddress);
}
