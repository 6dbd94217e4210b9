using Strata.Testing;

namespace Strata.Sample.Data.Tests;

/// <summary>One throwaway PostgreSQL cluster (Strata.Testing's <see cref="PostgresCluster"/>) for every PostgreSQL test; each test makes a database of its own.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresCluster>
{
    public const string Name = "PostgreSQL cluster";
}
