using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Strata.RateLimiting;

namespace Strata.Shared.OpenApi;

/// <summary>
/// What Strata.RateLimiting adds to a document, whichever generator makes it: on each operation limited by a Strata
/// policy, the 429 and (failing closed) 503 answers, and the rate-limit headers on every answer, as the policy's
/// rejection response and header writer send them.
/// </summary>
internal static class RateLimitOperationDescriber
{
    public const string RateLimitProblem = "RateLimitProblemDetails";

    /// <summary>Describes <paramref name="operation"/> from its endpoint's <paramref name="metadata"/>.</summary>
    public static void Describe(OpenApiOperation operation, OpenApiDocument document, IList<object> metadata, IServiceProvider services)
    {
        if (metadata.OfType<DisableRateLimitingAttribute>().Any()
            || metadata.OfType<IExcludeFromRateLimitDescriptionMetadata>().LastOrDefault()?.ExcludeFromRateLimitDescription == true
            || metadata.OfType<EnableRateLimitingAttribute>().LastOrDefault() is not { PolicyName: { } policyName })
        {
            return;
        }

        var policy = services.GetService<IOptions<RateLimiterOptions>>()?.Value.FindStrataPolicy(policyName);
        if (policy is null || policy.ShadowMode)
        {
            return;
        }

        var settings = services.GetService<IOptionsMonitor<StrataRateLimitingOptions>>()?.CurrentValue ?? new StrataRateLimitingOptions();
        var problem = ProblemSchemas.Reference(
            document,
            RateLimitProblem,
            "A rate-limit problem (the quota-exceeded problem type of the IETF RateLimit header fields draft on 429).",
            ("retryAfter", ProblemSchemas.Seconds("Seconds to wait before retrying, as in the Retry-After header.")),
            ("policy", ProblemSchemas.Text("The name of the policy that rejected the request.")),
            ("violated-policies", ProblemSchemas.Texts("On 429: the limits exceeded, by their names in the RateLimit-Policy header.")));

        var tooMany = OperationResponses.Problem(operation, StatusCodes.Status429TooManyRequests, PolicyText.TooManyRequests(policy), problem);
        OperationResponses.Header(tooMany, "Retry-After", "Seconds to wait before retrying (whole seconds, rounded up).", ProblemSchemas.Seconds("Seconds."));

        var failClosed = policy.FailureMode == RateLimitFailureMode.FailClosed ? DescribeFailClosed(operation, policy, problem) : null;
        foreach (var (_, response) in OperationResponses.All(operation).Where(r => r.Response != failClosed))
        {
            if (settings.EmitRateLimitHeaders)
            {
                OperationResponses.Header(response, "RateLimit-Policy", PolicyText.PolicyHeader(policy), ProblemSchemas.Text("The policy's limits: quota (q) and window in seconds (w) per limit."));
                OperationResponses.Header(response, "RateLimit", "What is left of each limit now: remaining (r) and seconds until reset (t), for example \"" + policy.RuleNames[0] + "\";r=42;t=17.", ProblemSchemas.Text("The current state of each limit."));
            }

            if (settings.EmitLegacyHeaders)
            {
                OperationResponses.Header(response, "X-RateLimit-Limit", "The most restrictive limit's quota.", new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64" });
                OperationResponses.Header(response, "X-RateLimit-Remaining", "What is left of the most restrictive limit.", new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64" });
                OperationResponses.Header(response, "X-RateLimit-Reset", "Seconds until the most restrictive limit resets.", new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int64" });
            }
        }
    }

    /// <summary>The 503 of a policy that fails closed; returns it when it is the policy's own (no RateLimit headers on it).</summary>
    private static OpenApiResponse? DescribeFailClosed(OpenApiOperation operation, RateLimitPolicyDescription policy, IOpenApiSchema problem)
    {
        OpenApiResponse? failClosed = null;
        var sentence = $"The rate-limit store cannot decide and policy '{policy.Name}' fails closed.";
        var declared = operation.Responses?.ContainsKey("503") == true;
        var unavailable = OperationResponses.GetOrAdd(operation, StatusCodes.Status503ServiceUnavailable, sentence);
        if (unavailable is not null && (!declared || unavailable.Description == sentence))
        {
            // This policy's own 503 (also when described twice): failing closed, nothing was counted, so the answer
            // carries no RateLimit headers.
            failClosed = unavailable;
            OperationResponses.ProblemBody(unavailable, problem);
        }
        else if (unavailable is not null && unavailable.Description?.Contains(sentence, StringComparison.Ordinal) != true)
        {
            // The endpoint declares a 503 of its own: it gets this reason too.
            unavailable.Description = $"{unavailable.Description?.TrimEnd('.')}. Also when: {sentence}";
        }

        OperationResponses.Header(unavailable, "Retry-After", "Seconds to wait before retrying, when known.", ProblemSchemas.Seconds("Seconds."));
        return failClosed;
    }
}
