using Microsoft.Extensions.DependencyInjection;
using Strata.Jobs.FleetWorker;
using Strata.Testing;
using Xunit.Abstractions;

namespace Strata.Jobs.Fleet.Tests;

/// <summary>The fleet on one PostgreSQL database.</summary>
public sealed class PostgresFleetTests(PostgresCluster cluster, ITestOutputHelper output) : FleetTests(output), IClassFixture<PostgresCluster>
{
    private string? _connection;

    protected override string Backend => "postgres";

    protected override string Connection => _connection!;

    protected override string Store => "-";

    public override async Task InitializeAsync()
    {
        _connection = cluster.ConnectionStringFor(await cluster.CreateDatabaseAsync("fleet"));
        await base.InitializeAsync();
    }

    protected override async Task PrepareStoreAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<FleetDbContext>().Database.EnsureCreatedAsync();
    }
}
