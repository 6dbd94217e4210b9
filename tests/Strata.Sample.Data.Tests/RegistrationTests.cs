using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Strata.ApiKeys;

namespace Strata.Sample.Data.Tests;

/// <summary>What AddSampleData registers, read from configuration as the host does.</summary>
public sealed class RegistrationTests : IDisposable
{
    private readonly SqliteFolder _folder = new();

    private static IConfiguration Configuration(string? provider, string? connectionString) => new ConfigurationBuilder()
        .AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:Provider"] = provider,
            ["ConnectionStrings:Database"] = connectionString,
        })
        .Build();

    [Fact]
    public async Task The_api_key_store_works_on_SampleDbContext_registered_by_AddSampleData()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddConfiguration(Configuration("Sqlite", _folder.ConnectionString));
        builder.Services.AddSampleData(builder.Configuration);
        builder.Services.AddStrataApiKeys().UseEntityFrameworkStore<SampleDbContext>();
        using var app = builder.Build();
        await app.Services.MigrateSampleDatabaseAsync();

        await app.StartAsync(); // the store's start-up check finds the API-key table in SampleDbContext's model
        var manager = app.Services.GetRequiredService<IApiKeyManager>();
        var created = await manager.CreateAsync(new ApiKeyCreateRequest { Owner = "sample", Scopes = ["analyze"] });
        var stored = await app.Services.GetRequiredService<IApiKeyStore>().FindByIdAsync(created.Record.Id);
        await app.StopAsync();

        stored.Should().NotBeNull();
        stored!.Record.Scopes.Should().Equal("analyze");
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SampleDbContext>();
        (await db.Database.SqlQueryRaw<int>("SELECT count(*) AS \"Value\" FROM \"StrataApiKeys\"").SingleAsync()).Should().Be(1, "the key row is in the sample's own database file");
    }

    [Fact]
    public async Task The_database_check_is_registered_once_tagged_ready_and_is_healthy_only_after_migration()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSampleData(Configuration("Sqlite", _folder.ConnectionString));
        services.AddSampleData(Configuration("Sqlite", _folder.ConnectionString));
        await using var provider = services.BuildServiceProvider();
        var registrations = provider.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations;
        var health = provider.GetRequiredService<HealthCheckService>();

        registrations.Should().ContainSingle(r => r.Name == "database").Which.Tags.Should().Contain("ready");
        var before = await health.CheckHealthAsync(r => r.Tags.Contains("ready"));
        var beforeFileExisted = File.Exists(_folder.FilePath);
        await provider.MigrateSampleDatabaseAsync();
        var after = await health.CheckHealthAsync(r => r.Tags.Contains("ready"));

        before.Entries["database"].Status.Should().Be(HealthStatus.Unhealthy, "no database file exists yet");
        beforeFileExisted.Should().BeFalse("the check never creates the file");
        after.Entries["database"].Status.Should().Be(HealthStatus.Healthy);
    }

    [Fact]
    public async Task Without_configuration_the_sample_uses_the_sqlite_file_in_the_data_folder()
    {
        var services = new ServiceCollection();
        services.AddSampleData(Configuration(null, null));
        await using var provider = services.BuildServiceProvider();
        await using var scope = provider.CreateAsyncScope();

        var db = scope.ServiceProvider.GetRequiredService<SampleDbContext>();

        db.Should().BeOfType<SqliteSampleDbContext>();
        db.Database.GetConnectionString().Should().Be("Data Source=data/strata-sample.db");
        provider.GetRequiredService<TimeProvider>().Should().BeSameAs(TimeProvider.System);
    }

    [Theory]
    [InlineData("Postgres")]
    [InlineData("postgresql")]
    public async Task Provider_Postgres_registers_the_postgres_context_as_SampleDbContext(string name)
    {
        var services = new ServiceCollection();
        services.AddSampleData(Configuration(name, "Host=db.internal;Database=strata;Username=strata"));
        await using var provider = services.BuildServiceProvider();
        await using var scope = provider.CreateAsyncScope();

        var db = scope.ServiceProvider.GetRequiredService<SampleDbContext>();

        db.Should().BeOfType<PostgresSampleDbContext>();
        db.Database.IsNpgsql().Should().BeTrue();
    }

    [Fact]
    public async Task An_unknown_provider_fails_on_start_naming_the_key_and_the_choices()
    {
        await using var provider = Build(Configuration("Oracle", null));

        var migrate = () => provider.MigrateSampleDatabaseAsync();

        await migrate.Should().ThrowAsync<InvalidOperationException>().WithMessage("*Database:Provider*Oracle*Sqlite*Postgres*");
    }

    [Fact]
    public async Task Postgres_without_a_connection_string_fails_on_start_naming_the_key()
    {
        await using var provider = Build(Configuration("Postgres", null));

        var migrate = () => provider.MigrateSampleDatabaseAsync();

        await migrate.Should().ThrowAsync<InvalidOperationException>().WithMessage("*ConnectionStrings:Database*required*Postgres*");
    }

    [Fact]
    public async Task A_malformed_connection_string_fails_naming_the_key_without_echoing_it()
    {
        await using var provider = Build(Configuration("Postgres", "Host=db;Password=hunter2;Nonsense Keyword=1"));

        var migrate = () => provider.MigrateSampleDatabaseAsync();

        var message = (await migrate.Should().ThrowAsync<InvalidOperationException>().WithMessage("*ConnectionStrings:Database*")).Which.Message;
        message.Should().NotContain("hunter2");
    }

    [Fact]
    public async Task Configuration_added_after_AddSampleData_is_the_one_used()
    {
        // As a test host does: the configuration object is registered first and filled in later.
        var configuration = new ConfigurationManager();
        var services = new ServiceCollection();
        services.AddSampleData(configuration);
        configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:Database"] = _folder.ConnectionString });
        await using var provider = services.BuildServiceProvider();

        await provider.MigrateSampleDatabaseAsync();

        File.Exists(_folder.FilePath).Should().BeTrue();
    }

    [Fact]
    public async Task Asking_for_the_other_providers_context_fails_saying_which_to_use()
    {
        await using var provider = Build(Configuration("Sqlite", _folder.ConnectionString));
        await using var scope = provider.CreateAsyncScope();

        var resolve = () => scope.ServiceProvider.GetRequiredService<PostgresSampleDbContext>();

        resolve.Should().Throw<InvalidOperationException>().WithMessage("*Database:Provider is Sqlite*resolve SampleDbContext*");
    }

    private static ServiceProvider Build(IConfiguration configuration)
    {
        var services = new ServiceCollection();
        services.AddSampleData(configuration);
        return services.BuildServiceProvider();
    }

    public void Dispose() => _folder.Dispose();
}
