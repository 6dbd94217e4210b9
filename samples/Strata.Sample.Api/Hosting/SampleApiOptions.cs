using System.ComponentModel.DataAnnotations;

namespace Strata.Sample.Api.Hosting;

/// <summary>The host's own settings (section <c>Api</c>), validated on start.</summary>
internal sealed class SampleApiOptions : IValidatableObject
{
    public const string SectionName = "Api";

    /// <summary>Largest request body accepted; larger gets 413. Default 1 MiB.</summary>
    [Range(1024, int.MaxValue)]
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Requests per minute per key when the key has no plan, or a plan without a tier. Default 600.</summary>
    [Range(1, int.MaxValue)]
    public int RequestsPerMinute { get; set; } = 600;

    /// <summary>Requests per minute per key on the key-management routes (<c>/admin/keys</c>). Default 30.</summary>
    [Range(1, int.MaxValue)]
    public int AdminRequestsPerMinute { get; set; } = 30;

    /// <summary>Requests per minute per client address on every route but <c>/health</c>, keyed or not; 0 (the default) for no such limit.</summary>
    [Range(0, int.MaxValue)]
    public int RequestsPerMinutePerAddress { get; set; }

    /// <summary>Tokens per minute per key on <c>/v1/analyze</c> when the key's plan has no tier. Default 200,000.</summary>
    [Range(1, int.MaxValue)]
    public int TokensPerMinute { get; set; } = 200_000;

    /// <summary>How long a stopping host waits for in-flight requests and jobs. Default 25 s (inside a container runtime's usual 30 s grace).</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(25);

    /// <summary>
    /// How long a stopping node keeps serving, with its ready check at 503 and every response closing its connection,
    /// before Kestrel stops listening (<see cref="ShutdownDrain"/>). Default 0: stop at once. Behind a load balancer, set
    /// it to longer than the balancer needs to see the node unready (for the sample's gateway, 2 s checks: 6 s).
    /// Part of <see cref="ShutdownTimeout"/>, so shorter than it.
    /// </summary>
    public TimeSpan DrainDelay { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (DrainDelay < TimeSpan.Zero || DrainDelay >= ShutdownTimeout)
        {
            yield return new ValidationResult(
                $"Api:DrainDelay ({DrainDelay:c}) must be at least 0 and shorter than Api:ShutdownTimeout ({ShutdownTimeout:c}): the drain is part of the shutdown time. Shorten the delay or lengthen the timeout.",
                [nameof(DrainDelay)]);
        }
    }
}
