using Strata.Jobs.Testing;

namespace Strata.Jobs.Tests;

/// <summary>The shared contract, run against the in-memory backend.</summary>
public sealed class InMemoryContractTests : JobBackendContractTests
{
    protected override void UseBackend(JobsBuilder builder) => builder.UseInMemory();
}
