namespace Strata.RateLimiting;

/// <summary>Problem types (RFC 9457) of rate-limiting responses.</summary>
public static class RateLimitProblemTypes
{
    /// <summary>The <c>type</c> of a 429 response: the "quota-exceeded" problem type of the IETF RateLimit header fields draft.</summary>
    public const string QuotaExceeded = "https://iana.org/assignments/http-problem-types#quota-exceeded";
}
