using System.Threading.RateLimiting;

namespace Strata.Sample.Api.RateLimits;

/// <summary>
/// The global per-address limit (<see cref="SampleRateLimits.PerAddressPolicy"/>, <c>Api:RequestsPerMinutePerAddress</c>),
/// a Strata limiter partitioned by client address, except on <c>/health</c>: a load balancer's probes are never refused.
/// Behind a proxy the address is the client's only when the host applies forwarded headers from that proxy
/// (<c>Api:ForwardedHeaders</c>).
/// </summary>
internal sealed class PerAddressLimiter(PartitionedRateLimiter<HttpContext> inner) : PartitionedRateLimiter<HttpContext>
{
    private static readonly RateLimitLease Exempt = new ExemptLease();

    public override RateLimiterStatistics? GetStatistics(HttpContext resource) => IsExempt(resource) ? null : inner.GetStatistics(resource);

    protected override RateLimitLease AttemptAcquireCore(HttpContext resource, int permitCount) =>
        IsExempt(resource) ? Exempt : inner.AttemptAcquire(resource, permitCount);

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(HttpContext resource, int permitCount, CancellationToken cancellationToken) =>
        IsExempt(resource) ? ValueTask.FromResult(Exempt) : inner.AcquireAsync(resource, permitCount, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await inner.DisposeAsync();
        await base.DisposeAsyncCore();
    }

    private static bool IsExempt(HttpContext context) => context.Request.Path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase);

    private sealed class ExemptLease : RateLimitLease
    {
        public override bool IsAcquired => true;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}
