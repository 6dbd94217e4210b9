using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Npgsql;
using Strata.ApiKeys;
using Strata.Testing;

namespace Strata.Sample.Data.Tests;

/// <summary>The repository contract on a real PostgreSQL server, migrated with the PostgreSQL migrations.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresAnalysisRepositoryTests(PostgresCluster cluster) : AnalysisRepositoryContract
{
    protected override async Task<(string Provider, string ConnectionString)> CreateDatabaseAsync()
        => ("Postgres", await cluster.CreateDatabaseAsync("sample"));

    protected override void AddInterceptor(IServiceCollection services, IInterceptor interceptor)
        => services.ConfigureDbContext<PostgresSampleDbContext>((_, options) => options.AddInterceptors(interceptor));
}

/// <summary>PostgreSQL migrations applied by processes starting together, and the schema they make.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresDatabaseTests(PostgresCluster cluster)
{
    [Fact]
    public async Task Processes_starting_together_on_a_new_database_all_migrate_it_once()
    {
        var connectionString = await cluster.CreateDatabaseAsync("sample");
        var hosts = Enumerable.Range(0, 4).Select(_ => TestHost.Create("Postgres", connectionString, systemTime: true)).ToList();
        try
        {
            await Task.WhenAll(hosts.Select(h => Task.Run(() => h.Services.MigrateSampleDatabaseAsync())));

            foreach (var host in hosts)
            {
                await using var scope = host.Services.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<SampleDbContext>();
                db.Should().BeOfType<PostgresSampleDbContext>();
                (await db.Database.GetPendingMigrationsAsync()).Should().BeEmpty();
            }

            (await ScalarAsync(connectionString, "SELECT count(*) FROM \"__EFMigrationsHistory\"")).Should().Be(3L, "three migrations (InitialCreate, StrataJobs, StrataJobOperations), applied once");
            hosts.SelectMany(h => ErrorRecords(h)).Should().BeEmpty("migrating together is expected, not an error");
            var saved = await hosts[0].Repository.SaveAsync(new NewAnalysis("key_1", "Text.", "job-1", "Summary.", ["k"], "neutral", 0, 1));
            (await hosts[3].Repository.FindByJobAsync("job-1")).Should().BeEquivalentTo(saved);
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Two_processes_started_together_on_a_new_database_both_migrate_it_and_store_each_job_once()
    {
        var connectionString = await cluster.CreateDatabaseAsync("sample");

        var results = await Task.WhenAll(SampleProcess.RunAsync("Postgres", connectionString, 10), SampleProcess.RunAsync("Postgres", connectionString, 10));

        results.Should().AllSatisfy(r => r.ExitCode.Should().Be(0, r.Output));
        var ids = results.Select(r => SampleProcess.ParseIds(r.Output)).ToArray();
        ids[0].Should().HaveCount(10).And.BeEquivalentTo(ids[1], "a job saved by both processes is stored once and both get that row");
        (await ScalarAsync(connectionString, "SELECT count(*) FROM \"Analyses\"")).Should().Be(10L);
        (await ScalarAsync(connectionString, "SELECT count(*) FROM \"Documents\"")).Should().Be(10L);
        (await ScalarAsync(connectionString, "SELECT count(*) FROM \"__EFMigrationsHistory\"")).Should().Be(3L, "three migrations (InitialCreate, StrataJobs, StrataJobOperations), applied once");
    }

    /// <summary>
    /// A new deployment's first start must not log errors: EF Core logs a failed command at Error, and asking an empty
    /// PostgreSQL database for its applied migrations fails with 42P01 (no history table) before migrating.
    /// </summary>
    [Fact]
    public async Task Migrating_an_empty_database_and_checking_it_logs_no_error()
    {
        var connectionString = await cluster.CreateDatabaseAsync("sample");
        await using var host = TestHost.Create("Postgres", connectionString);
        var health = host.Services.GetRequiredService<HealthCheckService>();

        var before = await health.CheckHealthAsync(r => r.Tags.Contains("ready"));
        await host.Services.MigrateSampleDatabaseAsync();
        await host.Services.MigrateSampleDatabaseAsync();

        before.Entries["database"].Status.Should().Be(HealthStatus.Unhealthy, "not migrated yet");
        (await ScalarAsync(connectionString, "SELECT count(*) FROM \"__EFMigrationsHistory\"")).Should().Be(3L, "three migrations (InitialCreate, StrataJobs, StrataJobOperations), applied once");
        // The health check service reports an unhealthy answer at Error by design; nothing else may log an error.
        ErrorRecords(host).Where(r => !r.StartsWith("Microsoft.Extensions.Diagnostics.HealthChecks.", StringComparison.Ordinal))
            .Should().BeEmpty("a first start on an empty database is the normal case, not an error");
    }

    [Fact]
    public async Task The_postgres_schema_keeps_keywords_as_json_text_and_times_as_timestamptz()
    {
        var connectionString = await cluster.CreateDatabaseAsync("sample");
        await using var host = TestHost.Create("Postgres", connectionString);
        await host.Services.MigrateSampleDatabaseAsync();
        await host.Services.MigrateSampleDatabaseAsync();

        (await ScalarAsync(connectionString, "SELECT data_type FROM information_schema.columns WHERE table_name = 'Analyses' AND column_name = 'Keywords'")).Should().Be("text");
        (await ScalarAsync(connectionString, "SELECT data_type FROM information_schema.columns WHERE table_name = 'Analyses' AND column_name = 'CreatedAt'")).Should().Be("timestamp with time zone");
        (await ScalarAsync(connectionString, "SELECT count(*) FROM pg_indexes WHERE tablename = 'Analyses' AND indexname = 'IX_Analyses_JobId' AND indexdef LIKE 'CREATE UNIQUE INDEX%'")).Should().Be(1L);
        (await ScalarAsync(connectionString, "SELECT count(*) FROM information_schema.tables WHERE table_name IN ('Documents', 'Analyses', 'StrataApiKeys')")).Should().Be(3L);
        await host.Repository.SaveAsync(new NewAnalysis("key_1", "Text.", "job-1", "Summary.", ["a", "b"], "neutral", 0, 1));
        (await ScalarAsync(connectionString, "SELECT \"Keywords\" FROM \"Analyses\"")).Should().Be("[\"a\",\"b\"]");
    }

    [Fact]
    public async Task The_database_check_is_unhealthy_on_an_empty_database_and_healthy_once_it_is_migrated()
    {
        var connectionString = await cluster.CreateDatabaseAsync("sample");
        await using var host = TestHost.Create("Postgres", connectionString);
        var health = host.Services.GetRequiredService<HealthCheckService>();

        var before = await health.CheckHealthAsync(r => r.Tags.Contains("ready"));
        await host.Services.MigrateSampleDatabaseAsync();
        var after = await health.CheckHealthAsync(r => r.Tags.Contains("ready"));

        before.Entries["database"].Status.Should().Be(HealthStatus.Unhealthy, "the server answers but the schema is not there");
        after.Entries["database"].Status.Should().Be(HealthStatus.Healthy);
    }

    [Fact]
    public async Task The_database_check_is_unhealthy_when_the_database_does_not_exist()
    {
        await using var host = TestHost.Create("Postgres", cluster.ConnectionStringFor("no_such_database"));

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Tags.Contains("ready"));

        report.Entries["database"].Status.Should().Be(HealthStatus.Unhealthy);
    }

    [Fact]
    public async Task The_api_key_store_works_on_SampleDbContext_over_postgres()
    {
        var connectionString = await cluster.CreateDatabaseAsync("sample");
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSampleData(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = "Postgres",
            ["ConnectionStrings:Database"] = connectionString,
        }).Build());
        services.AddStrataApiKeys().UseEntityFrameworkStore<SampleDbContext>();
        await using var provider = services.BuildServiceProvider();
        await provider.MigrateSampleDatabaseAsync();

        var created = await provider.GetRequiredService<IApiKeyManager>().CreateAsync(new ApiKeyCreateRequest { Owner = "sample", Scopes = ["jobs:write"] });
        var stored = await provider.GetRequiredService<IApiKeyStore>().FindByIdAsync(created.Record.Id);

        stored!.Record.Scopes.Should().Equal("jobs:write");
        (await ScalarAsync(connectionString, "SELECT count(*) FROM \"StrataApiKeys\"")).Should().Be(1L);
    }

    private static IEnumerable<string> ErrorRecords(TestHost host) => host.Logs.GetSnapshot()
        .Where(r => r.Level >= LogLevel.Error)
        .Select(r => $"{r.Category}: {r.Message} {r.Exception?.GetType().Name}: {r.Exception?.Message}\n{r.Exception?.StackTrace}");

    private static async Task<object?> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
