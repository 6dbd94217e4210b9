using Strata.RateLimiting.Store;

namespace Strata.RateLimiting.Tests;

/// <summary>
/// A distributed store as a third party would write one on the public contract, over the in-process logic, that can
/// be made unreachable: the edge where Redis would go down.
/// </summary>
internal sealed class SwitchableStore(TimeProvider time) : IRateLimitStore
{
    private readonly InProcessRateLimitStore _inner = new(time);

    public volatile bool Failing;

    public string Name => "switchable";

    public string Description => "switchable test store";

    public bool IsDistributed => true;

    public bool TryDecide(StoreRequest request, out StoreDecision decision)
    {
        decision = default;
        return false;
    }

    public ValueTask<StoreDecision> DecideAsync(StoreRequest request, CancellationToken cancellationToken) =>
        Failing ? throw new RateLimitStoreException("The switchable store is switched off.") : _inner.DecideAsync(request, cancellationToken);

    public ValueTask ReleaseAsync(StoreRequest request) => _inner.ReleaseAsync(request);
}
