using Strata.RateLimiting.Store;
using Strata.RateLimiting.Tests.Contract;

namespace Strata.RateLimiting.Tests;

/// <summary>The store contract against the in-process store.</summary>
public sealed class InProcessStoreContractTests : RateLimiterContractTests
{
    internal override Task<IRateLimitStore> CreateStoreAsync() =>
        Task.FromResult<IRateLimitStore>(new InProcessRateLimitStore(Time));
}
