using Strata.Jobs.Tests.Contract;

namespace Strata.Jobs.Tests;

/// <summary>The shared contract, run against the in-memory backend.</summary>
public sealed class InMemoryContractTests : JobQueueContractTests
{
    protected override void UseBackend(JobsBuilder builder) => builder.UseInMemory();
}
