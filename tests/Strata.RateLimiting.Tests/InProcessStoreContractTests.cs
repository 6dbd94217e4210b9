using Strata.RateLimiting.Store;
using Strata.RateLimiting.Testing;

namespace Strata.RateLimiting.Tests;

/// <summary>The store contract against the in-process store.</summary>
public sealed class InProcessStoreContractTests : RateLimitStoreContractTests
{
    protected override Task<IRateLimitStore> CreateStoreAsync() =>
        Task.FromResult<IRateLimitStore>(new InProcessRateLimitStore(Time));
}
