using Strata.RateLimiting;

namespace Strata.Sample.Api.RateLimits;

/// <summary>
/// What each of the sample's rate-limit policies does when Redis cannot decide (api role), from
/// <c>RateLimiting:Policies:{policy}:FailureMode</c>: <c>FallbackToLocal</c> (the default), <c>FailOpen</c> or
/// <c>FailClosed</c>. Strata.RateLimiting takes the failure mode in code only (the tiers section it binds has no such
/// key), so the sample reads it here, once, on start; a value that is not one of the three stops the host on start
/// with a message naming the key.
/// </summary>
internal sealed record SampleFailureModes(RateLimitFailureMode PerKey, RateLimitFailureMode Tokens, RateLimitFailureMode Admin)
{
    public static SampleFailureModes From(IConfiguration configuration)
        => new(
            Read(configuration, SampleRateLimits.PerKeyPolicy),
            Read(configuration, SampleRateLimits.TokensPolicy),
            Read(configuration, SampleRateLimits.AdminPolicy));

    public static string Key(string policy) => $"RateLimiting:Policies:{policy}:FailureMode";

    private static RateLimitFailureMode Read(IConfiguration configuration, string policy)
    {
        var value = configuration[Key(policy)];
        if (string.IsNullOrWhiteSpace(value))
        {
            return RateLimitFailureMode.FallbackToLocal;
        }

        return Enum.TryParse<RateLimitFailureMode>(value.Trim(), ignoreCase: true, out var mode)
               && Enum.IsDefined(mode)
               && !int.TryParse(value, out _)
            ? mode
            : throw new InvalidOperationException(
                $"{Key(policy)} is '{value}'; use {nameof(RateLimitFailureMode.FallbackToLocal)}, {nameof(RateLimitFailureMode.FailOpen)} or {nameof(RateLimitFailureMode.FailClosed)}.");
    }
}
