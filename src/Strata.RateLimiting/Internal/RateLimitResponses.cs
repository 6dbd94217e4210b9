using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace Strata.RateLimiting.Internal;

/// <summary>
/// Writes the response side: the IETF RateLimit-Policy / RateLimit header fields (and the legacy
/// X-RateLimit-* ones when enabled) on every limited response, and on rejection the status (429, or
/// 503 when failing closed), Retry-After in whole seconds rounded up, and an RFC 9457 ProblemDetails body.
/// </summary>
internal static class RateLimitResponses
{
    public const string PolicyHeader = "RateLimit-Policy";
    public const string StateHeader = "RateLimit";

    /// <summary>Remembers a decision for the response's headers (written when the response starts).</summary>
    public static void Record(HttpContext context, Decision decision, StrataRateLimitingOptions options)
    {
        if (!options.EmitRateLimitHeaders && !options.EmitLegacyHeaders)
        {
            return;
        }

        if (decision.Results.Length == 0)
        {
            // Fail open / fail closed: nothing was counted, so there is nothing true to say.
            return;
        }

        var state = context.Features.Get<ResponseState>();
        if (state is null)
        {
            state = new ResponseState(options.EmitRateLimitHeaders, options.EmitLegacyHeaders);
            context.Features.Set(state);
            context.Response.OnStarting(static s => WriteHeaders((ResponseState)s), state);
            state.Response = context.Response;
        }

        lock (state.Decisions)
        {
            state.Decisions.RemoveAll(d => d.Policy == decision.Policy);
            state.Decisions.Add(decision);
        }
    }

    /// <summary>
    /// The <c>OnRejected</c> of Strata policies (and of <c>RateLimiterOptions</c> after
    /// <c>UseStrataRejectionResponse</c>): 429 (503 when failing closed), Retry-After, ProblemDetails.
    /// Leases of other limiters get the same answer from their <see cref="System.Threading.RateLimiting.MetadataName.RetryAfter"/>.
    /// </summary>
    public static async ValueTask OnRejectedAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        if (http.Response.HasStarted || context.Lease is null)
        {
            return;
        }

        var lease = context.Lease as StoreLease;
        var strata = lease?.Decision;
        var unavailable = strata?.Source == DecisionSource.FailClosed;
        var retryAfter = lease?.RetryAfter
            ?? (context.Lease.TryGetMetadata(System.Threading.RateLimiting.MetadataName.RetryAfter, out var metadata) ? metadata : TimeSpan.Zero);
        var status = unavailable ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status429TooManyRequests;
        http.Response.StatusCode = status;
        if (retryAfter > TimeSpan.Zero)
        {
            http.Response.Headers.RetryAfter = RetryAfterSeconds(retryAfter).ToString(CultureInfo.InvariantCulture);
        }

        var problem = new ProblemDetails
        {
            Status = status,
            Type = unavailable ? null : RateLimitProblemTypes.QuotaExceeded,
            Title = unavailable ? "Rate limiting is unavailable" : "Too many requests",
            Detail = unavailable
                ? "The rate-limit store cannot be reached and this endpoint fails closed. Retry later."
                : strata is null
                    ? "A rate limit is exceeded. Retry after the time in the Retry-After header."
                    : $"The rate limit of policy '{strata.Policy}' is exceeded. Retry after the time in the Retry-After header.",
        };
        if (retryAfter > TimeSpan.Zero)
        {
            problem.Extensions["retryAfter"] = RetryAfterSeconds(retryAfter);
        }

        if (strata is not null && strata.Policy.Length > 0)
        {
            problem.Extensions["policy"] = strata.Policy;
        }

        if (!unavailable && strata is not null)
        {
            // The draft's quota-exceeded problem type names the limits that rejected the request, by the
            // same names as the RateLimit-Policy header field.
            var violated = new List<string>(strata.Results.Length);
            for (var i = 0; i < strata.Results.Length; i++)
            {
                if (!strata.Results[i].Allowed)
                {
                    violated.Add(strata.RuleName(i));
                }
            }

            if (violated.Count > 0)
            {
                problem.Extensions["violated-policies"] = violated;
            }
        }

        await TypedResults.Problem(problem).ExecuteAsync(http).ConfigureAwait(false);
    }

    /// <summary>Whole seconds, rounded up, never earlier than the real reset.</summary>
    public static long RetryAfterSeconds(TimeSpan retryAfter) => Math.Max(1, (long)Math.Ceiling(retryAfter.TotalSeconds - 1e-9));

    private static Task WriteHeaders(ResponseState state)
    {
        var response = state.Response!;
        List<Decision> decisions;
        lock (state.Decisions)
        {
            decisions = [.. state.Decisions];
        }

        if (decisions.Count == 0)
        {
            return Task.CompletedTask;
        }

        if (state.Standard)
        {
            var policy = new StringBuilder();
            var current = new StringBuilder();
            foreach (var decision in decisions)
            {
                for (var i = 0; i < decision.Results.Length; i++)
                {
                    var rule = decision.Rules[i];
                    var result = decision.Results[i];
                    var name = decision.RuleName(i);
                    Separate(policy).Append('"').Append(name).Append("\";q=").Append(rule.Limit.ToString(CultureInfo.InvariantCulture));
                    Separate(current).Append('"').Append(name).Append("\";r=").Append(result.Remaining.ToString(CultureInfo.InvariantCulture));
                    if (rule.Algorithm != RateLimitAlgorithm.Concurrency)
                    {
                        policy.Append(";w=").Append(Seconds(rule.Period.Ticks / 10).ToString(CultureInfo.InvariantCulture));
                        current.Append(";t=").Append(Seconds(result.ResetMicros).ToString(CultureInfo.InvariantCulture));
                    }
                }
            }

            response.Headers[PolicyHeader] = policy.ToString();
            response.Headers[StateHeader] = current.ToString();
        }

        if (state.Legacy)
        {
            // The single most restrictive limit among the decisions.
            Decision? tightest = null;
            var tightestIndex = -1;
            foreach (var decision in decisions)
            {
                var index = decision.MostRestrictive;
                if (index >= 0 && (tightest is null || decision.Results[index].Remaining < tightest.Results[tightestIndex].Remaining))
                {
                    tightest = decision;
                    tightestIndex = index;
                }
            }

            if (tightest is not null)
            {
                response.Headers["X-RateLimit-Limit"] = tightest.Rules[tightestIndex].Limit.ToString(CultureInfo.InvariantCulture);
                response.Headers["X-RateLimit-Remaining"] = tightest.Results[tightestIndex].Remaining.ToString(CultureInfo.InvariantCulture);
                response.Headers["X-RateLimit-Reset"] = Seconds(tightest.Results[tightestIndex].ResetMicros).ToString(CultureInfo.InvariantCulture);
            }
        }

        return Task.CompletedTask;
    }

    private static long Seconds(long micros) => micros <= 0 ? 0 : (long)Math.Ceiling(micros / 1_000_000.0 - 1e-9);

    private static StringBuilder Separate(StringBuilder builder) => builder.Length == 0 ? builder : builder.Append(", ");

    /// <summary>The decisions of one request, in an HttpContext feature.</summary>
    internal sealed class ResponseState(bool standard, bool legacy)
    {
        public bool Standard { get; } = standard;

        public bool Legacy { get; } = legacy;

        public List<Decision> Decisions { get; } = [];

        public HttpResponse? Response { get; set; }
    }
}
