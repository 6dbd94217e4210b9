using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace Strata.Sample.Data;

/// <summary>The database engines the sample runs on (configuration key <c>Database:Provider</c>).</summary>
internal enum SampleDatabaseProvider
{
    Sqlite,
    Postgres,
}

/// <summary>The provider and connection string read from configuration, and the EF Core options built from them.</summary>
internal sealed record SampleDatabaseSettings(SampleDatabaseProvider Provider, string ConnectionString)
{
    public const string ProviderKey = "Database:Provider";
    public const string ConnectionStringName = "Database";
    public const string DefaultSqliteConnectionString = "Data Source=data/strata-sample.db";

    /// <summary>Reads <c>Database:Provider</c> and <c>ConnectionStrings:Database</c>; throws naming the key when one is wrong.</summary>
    public static SampleDatabaseSettings Read(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var providerText = configuration[ProviderKey];
        SampleDatabaseProvider provider;
        if (string.IsNullOrWhiteSpace(providerText) || string.Equals(providerText, "Sqlite", StringComparison.OrdinalIgnoreCase))
        {
            provider = SampleDatabaseProvider.Sqlite;
        }
        else if (string.Equals(providerText, "Postgres", StringComparison.OrdinalIgnoreCase)
            || string.Equals(providerText, "PostgreSQL", StringComparison.OrdinalIgnoreCase))
        {
            provider = SampleDatabaseProvider.Postgres;
        }
        else
        {
            throw new InvalidOperationException($"{ProviderKey} is '{providerText}': use 'Sqlite' (the default) or 'Postgres'.");
        }

        var connectionString = configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            if (provider == SampleDatabaseProvider.Postgres)
            {
                throw new InvalidOperationException(
                    $"ConnectionStrings:{ConnectionStringName} is required when {ProviderKey} is Postgres (for example 'Host=postgres;Database=strata;Username=strata;Password=...').");
            }

            connectionString = DefaultSqliteConnectionString;
        }

        try
        {
            // Parsed here so a malformed string fails at start-up with the key's name (the message never echoes the string: it may hold a password).
            _ = provider == SampleDatabaseProvider.Sqlite
                ? new SqliteConnectionStringBuilder(connectionString)
                : (DbConnectionStringBuilder)new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException)
        {
            throw new InvalidOperationException($"ConnectionStrings:{ConnectionStringName} is not a valid {provider} connection string: {ex.GetType().Name}.", ex);
        }

        return new SampleDatabaseSettings(provider, connectionString);
    }

    /// <summary>The connection string, when <paramref name="provider"/> is the configured one.</summary>
    public string Require(SampleDatabaseProvider provider) => provider == Provider
        ? ConnectionString
        : throw new InvalidOperationException(
            $"{ProviderKey} is {Provider}, so the {provider} context cannot be used: resolve {nameof(SampleDbContext)} instead.");

    public static DbContextOptionsBuilder UseSqlite(DbContextOptionsBuilder options, string connectionString)
        => options.UseSqlite(connectionString).AddInterceptors(SqliteConnectionSetup.Instance);

    public static DbContextOptionsBuilder UsePostgres(DbContextOptionsBuilder options, string connectionString)
        => options.UseNpgsql(connectionString);
}

/// <summary>
/// Sets SQLite's busy timeout on every connection EF Core opens, so a writer that finds the file locked by the
/// other process (api and worker share one file) waits for the lock instead of failing with "database is locked".
/// The timeout is the connection string's <c>Default Timeout</c> (30 s unless set).
/// </summary>
internal sealed class SqliteConnectionSetup : DbConnectionInterceptor
{
    public static readonly SqliteConnectionSetup Instance = new();

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var command = CreateCommand(connection);
        command.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        var command = CreateCommand(connection);
        await using (command.ConfigureAwait(false))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    internal static int BusyTimeoutMilliseconds(DbConnection connection)
        => connection is SqliteConnection sqlite ? checked(sqlite.DefaultTimeout * 1000) : 30_000;

    private static DbCommand CreateCommand(DbConnection connection)
    {
        var command = connection.CreateCommand();
        command.CommandText = FormattableString.Invariant($"PRAGMA busy_timeout = {BusyTimeoutMilliseconds(connection)};");
        return command;
    }
}

/// <summary>Lets the dotnet-ef tool build the SQLite context (no database is opened to add a migration).</summary>
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteSampleDbContext>
{
    public SqliteSampleDbContext CreateDbContext(string[] args)
        => new((DbContextOptions<SqliteSampleDbContext>)SampleDatabaseSettings.UseSqlite(
            new DbContextOptionsBuilder<SqliteSampleDbContext>(), SampleDatabaseSettings.DefaultSqliteConnectionString).Options);
}

/// <summary>Lets the dotnet-ef tool build the PostgreSQL context (no database is opened to add a migration).</summary>
internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresSampleDbContext>
{
    public PostgresSampleDbContext CreateDbContext(string[] args)
        => new((DbContextOptions<PostgresSampleDbContext>)SampleDatabaseSettings.UsePostgres(
            new DbContextOptionsBuilder<PostgresSampleDbContext>(), "Host=localhost;Database=strata_sample").Options);
}
