using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Strata.Sample.Data.Tests;

/// <summary>One "process" of the sample: its own service provider (own connection pool, own contexts) on a shared database.</summary>
public sealed class TestHost : IAsyncDisposable
{
    private TestHost(ServiceProvider services, FakeTimeProvider time)
    {
        Services = services;
        Time = time;
    }

    public ServiceProvider Services { get; }

    public FakeTimeProvider Time { get; }

    public IAnalysisRepository Repository => Services.GetRequiredService<IAnalysisRepository>();

    public FakeLogCollector Logs => Services.GetFakeLogCollector();

    /// <summary>
    /// A host on <paramref name="connectionString"/> with a <see cref="FakeTimeProvider"/>, or, with
    /// <paramref name="systemTime"/>, the system clock (for tests where the migrator may have to wait on another process).
    /// </summary>
    public static TestHost Create(string provider, string connectionString, Action<IServiceCollection>? configure = null, bool systemTime = false)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Database:Provider"] = provider,
                ["ConnectionStrings:Database"] = connectionString,
            })
            .Build();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 8, 30, 0, TimeSpan.Zero));
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(systemTime ? TimeProvider.System : time);
        services.AddFakeLogging();
        services.AddSampleData(configuration);
        configure?.Invoke(services);
        return new TestHost(services.BuildServiceProvider(validateScopes: true), time);
    }

    public async Task<(int Documents, int Analyses)> CountAsync()
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SampleDbContext>();
        return (await db.Documents.CountAsync(), await db.Analyses.CountAsync());
    }

    public ValueTask DisposeAsync() => Services.DisposeAsync();
}

/// <summary>A temporary folder for a real SQLite file, deleted on dispose. The file's folder does not exist until migration creates it.</summary>
public sealed class SqliteFolder : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "strata-sample-data-" + Guid.NewGuid().ToString("N"));

    public string FilePath => Path.Combine(_root, "data", "sample.db");

    public string ConnectionString => $"Data Source={FilePath}";

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            if (Directory.Exists(_root))
            {
                Directory.Delete(_root, recursive: true);
            }
        }
        catch (IOException)
        {
            // A file still held open; the OS cleans its temp folder.
        }
    }
}
