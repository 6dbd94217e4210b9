using System.Security.Claims;
using Microsoft.AspNetCore.Http;

namespace Strata.Jobs;

/// <summary>Settings of the endpoints mapped by <c>MapJobEndpoints</c>.</summary>
public sealed class JobEndpointOptions
{
    /// <summary>
    /// Picks the owner tag of the caller: jobs are enqueued with it, and GET and DELETE show a job only to
    /// the caller with the same tag (others get 404).
    /// </summary>
    /// <value>Defaults to the value of the caller's <see cref="ClaimTypes.NameIdentifier"/> claim, or null for an anonymous caller.</value>
    public Func<HttpContext, string?> OwnerSelector { get; set; } = static context => context.User.FindFirst(ClaimTypes.NameIdentifier)?.Value;

    /// <summary>The queue the POST endpoint enqueues to; null for <see cref="JobsOptions.DefaultQueue"/>.</summary>
    /// <value>Defaults to null.</value>
    public string? Queue { get; set; }

    /// <summary>The Retry-After value sent with 202 Accepted and with the status of an unfinished job.</summary>
    /// <value>Defaults to 2 seconds.</value>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The request header whose value becomes the job's idempotency key (scoped to the owner, so callers
    /// never see each other's jobs); null to ignore such headers.
    /// </summary>
    /// <value>Defaults to <c>"Idempotency-Key"</c>.</value>
    public string? IdempotencyKeyHeader { get; set; } = "Idempotency-Key";

    /// <summary>Adjusts the options of each job the POST endpoint enqueues (for example a timeout per caller).</summary>
    /// <value>Defaults to null.</value>
    public Action<HttpContext, JobOptions>? ConfigureJob { get; set; }

    /// <summary>
    /// When true, the POST endpoint answers 400 ProblemDetails naming the member, and enqueues nothing, for a body that
    /// lacks a constructor parameter without a default value (or a <c>required</c> or <c>[JsonRequired]</c> member),
    /// and on .NET 9 and later for a JSON null in a member whose nullable annotation forbids it. When false, only
    /// <c>required</c> and <c>[JsonRequired]</c> members are enforced, as in the serializer's own defaults, and a missing
    /// member reaches the handler as its default value.
    /// </summary>
    /// <value>Defaults to true.</value>
    public bool ValidateRequiredMembers { get; set; } = true;
}
