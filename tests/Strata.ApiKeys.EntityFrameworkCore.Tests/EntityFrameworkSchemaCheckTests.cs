using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Strata.ApiKeys.EntityFrameworkCore.Tests;

/// <summary>A database without the key table (the migration forgotten) on real SQLite: the error names the fix.</summary>
public sealed class EntityFrameworkSchemaCheckTests : IDisposable
{
    private const string Hash = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    private readonly TempSqliteFile _file = new();

    [Fact]
    public async Task Lookup_on_a_database_without_the_key_table_names_the_table_the_context_and_the_migration()
    {
        await using var provider = Build(_file.ConnectionString);

        var lookup = () => provider.GetRequiredService<IApiKeyStore>().FindByHashAsync(Hash);

        var error = (await lookup.Should().ThrowAsync<ApiKeyStoreSchemaException>()).Which;
        error.Message.Should().Contain("The database behind AppDbContext has no API-key table \"StrataApiKeys\"")
            .And.Contain("no such table: StrataApiKeys")
            .And.Contain("dotnet ef migrations add ApiKeys --context AppDbContext")
            .And.Contain("dotnet ef database update")
            .And.Contain("Database.MigrateAsync()")
            .And.NotContain(Hash);
        error.InnerException.Should().BeOfType<SqliteException>();
    }

    [Fact]
    public async Task Write_on_an_in_memory_database_without_the_key_table_names_the_fix_too()
    {
        await using var connection = new SqliteConnection("Data Source=:memory:"); // kept open: the database lives as long as it
        await connection.OpenAsync();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDbContext<AppDbContext>(o => o.UseSqlite(connection));
        services.AddStrataApiKeys().UseEntityFrameworkStore<AppDbContext>();
        await using var provider = services.BuildServiceProvider();
        var manager = provider.GetRequiredService<IApiKeyManager>();

        var create = () => manager.CreateAsync(new ApiKeyCreateRequest { Owner = "team" });

        (await create.Should().ThrowAsync<ApiKeyStoreSchemaException>())
            .WithMessage("*no API-key table \"StrataApiKeys\"*dotnet ef migrations add ApiKeys --context AppDbContext*");
    }

    [Fact]
    public async Task A_missing_column_is_named_with_the_same_fix()
    {
        await using (var db = new AppDbContext(new DbContextOptionsBuilder<AppDbContext>().UseSqlite(_file.ConnectionString).Options))
        {
            await db.Database.EnsureCreatedAsync();
        }

        _file.Query("ALTER TABLE StrataApiKeys DROP COLUMN ReplacedById"); // as a table made by an older version would lack it
        await using var provider = Build(_file.ConnectionString);

        var lookup = () => provider.GetRequiredService<IApiKeyStore>().FindByHashAsync(Hash);

        (await lookup.Should().ThrowAsync<ApiKeyStoreSchemaException>())
            .WithMessage("*\"StrataApiKeys\"*no such column*ReplacedById*dotnet ef migrations add ApiKeys --context AppDbContext*");
    }

    [Fact]
    public async Task A_renamed_table_is_named_as_the_model_maps_it()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IDbContextFactory<FreshModelDbContext>>(new RenamedTableFactory(_file.FilePath));
        services.AddStrataApiKeys().UseEntityFrameworkStore<FreshModelDbContext>();
        await using var provider = services.BuildServiceProvider();

        var lookup = () => provider.GetRequiredService<IApiKeyStore>().FindByIdAsync("key_a");

        (await lookup.Should().ThrowAsync<ApiKeyStoreSchemaException>())
            .WithMessage("The database behind FreshModelDbContext has no API-key table \"Keys\"*--context FreshModelDbContext*");
    }

    [Fact]
    public async Task Applying_the_migration_while_the_host_runs_needs_no_restart()
    {
        await using var provider = Build(_file.ConnectionString);
        var store = provider.GetRequiredService<IApiKeyStore>();
        await FluentActions.Awaiting(() => store.FindByIdAsync("key_a")).Should().ThrowAsync<ApiKeyStoreSchemaException>();
        await FluentActions.Awaiting(() => store.FindByIdAsync("key_a")).Should().ThrowAsync<ApiKeyStoreSchemaException>("a failed check is no pass");

        await using (var db = new AppDbContext(new DbContextOptionsBuilder<AppDbContext>().UseSqlite(_file.ConnectionString).Options))
        {
            await db.Database.EnsureCreatedAsync();
        }

        (await store.FindByIdAsync("key_a")).Should().BeNull("the next call checks again and finds the table");
    }

    [Fact]
    public async Task A_database_that_cannot_be_opened_is_not_reported_as_a_missing_table()
    {
        var unreachable = new SqliteConnectionStringBuilder { DataSource = Path.Combine(_file.FilePath, "no-such-folder", "app.db"), Pooling = false };
        await using var provider = Build(unreachable.ToString());

        var lookup = () => provider.GetRequiredService<IApiKeyStore>().FindByHashAsync(Hash);

        await lookup.Should().ThrowAsync<SqliteException>("only a missing table or column is worth a migration hint");
    }

    [Fact]
    public async Task Once_the_table_is_found_the_store_does_not_probe_again()
    {
        await using (var db = new AppDbContext(new DbContextOptionsBuilder<AppDbContext>().UseSqlite(_file.ConnectionString).Options))
        {
            await db.Database.EnsureCreatedAsync();
        }

        var probes = new CommandCounter("WHERE 0");
        await using var provider = Build(_file.ConnectionString, probes);
        var store = provider.GetRequiredService<IApiKeyStore>();

        await store.FindByHashAsync(Hash);
        await store.FindByIdAsync("key_a");
        await store.FindByHashAsync(Hash);

        probes.Count.Should().Be(1);
    }

    [Fact]
    public async Task Request_with_a_key_gets_503_and_the_log_names_the_fix_without_the_key()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddFakeLogging();
        builder.Services.AddDbContext<AppDbContext>(o => o.UseSqlite(_file.ConnectionString));
        builder.Services.AddAuthentication(ApiKeyDefaults.AuthenticationScheme).AddApiKey(o => o.Prefix = "sk_live");
        builder.Services.AddAuthorization();
        builder.Services.AddStrataApiKeys().UseEntityFrameworkStore<AppDbContext>();
        await using var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/v1/me", (HttpContext context) => context.User.Identity?.Name).RequireAuthorization();
        await app.StartAsync();
        var key = ApiKeyFormat.Generate("sk_live");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/me");
        request.Headers.Add("X-Api-Key", key);

        using var response = await app.GetTestClient().SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        var logged = app.Services.GetFakeLogCollector().GetSnapshot();
        var failure = logged.Should().ContainSingle(r => r.Exception is ApiKeyStoreSchemaException).Subject;
        failure.Exception!.Message.Should().Contain("dotnet ef migrations add ApiKeys --context AppDbContext");
        logged.Should().NotContain(r => r.Message.Contains(key, StringComparison.Ordinal) || (r.Exception != null && r.Exception.ToString().Contains(key, StringComparison.Ordinal)));
        (await response.Content.ReadAsStringAsync()).Should().NotContain(key).And.NotContain("StrataApiKeys");
        await app.StopAsync();
    }

    public void Dispose() => _file.Dispose();

    private static ServiceProvider Build(string connectionString, CommandCounter? counter = null)
    {
        var services = new ServiceCollection();
        services.AddDbContext<AppDbContext>(o =>
        {
            o.UseSqlite(connectionString);
            if (counter is not null)
            {
                o.AddInterceptors(counter);
            }
        });
        services.AddStrataApiKeys().UseEntityFrameworkStore<AppDbContext>();
        return services.BuildServiceProvider();
    }

    private sealed class RenamedTableFactory(string path) : IDbContextFactory<FreshModelDbContext>
    {
        public FreshModelDbContext CreateDbContext() => FreshModelDbContext.OnFile(path, tableName: "Keys");
    }
}
