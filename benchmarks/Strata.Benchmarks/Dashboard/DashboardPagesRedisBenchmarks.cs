using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Strata.Benchmarks.Jobs;
using Strata.Testing;

namespace Strata.Benchmarks.Dashboard;

/// <summary>The dashboard's pages on the Redis backend, a million jobs seeded as <see cref="JobSearchRedisBenchmarks"/> seeds them.</summary>
public class DashboardPagesRedisBenchmarks : DashboardPagesBenchmarks
{
    private static readonly Lazy<Task<(RedisServer Server, ConnectionMultiplexer Connection)>> Store = new(SeedAsync);

    /// <inheritdoc />
    protected override string FilteredQueue => "reports";

    private ConnectionMultiplexer? _connection;

    /// <inheritdoc />
    protected override async Task PrepareStoreAsync() => (_, _connection) = await Store.Value;

    /// <inheritdoc />
    protected override void AddJobs(IServiceCollection services)
    {
        services.AddSingleton<IConnectionMultiplexer>(_connection!);
        services.AddStrataJobs(o =>
            {
                o.RunWorkers = false;
                foreach (var queue in JobSearchRedisBenchmarks.Queues)
                {
                    o.AddQueue(queue);
                }
            })
            .AddNightly()
            .UseRedis(o => o.KeyPrefix = JobSearchRedisBenchmarks.KeyPrefix);
    }

    private static async Task<(RedisServer, ConnectionMultiplexer)> SeedAsync()
    {
        var server = await RedisServer.StartAsync();
        var connection = await server.ConnectAsync(o => o.AllowAdmin = true);
        var jobs = IsSmoke ? SmokeJobs : StoredJobs;
        var started = System.Diagnostics.Stopwatch.StartNew();
        await JobSearchRedisBenchmarks.SeedAsync(connection.GetDatabase(), jobs);
        Console.WriteLine($"// Seeded {jobs:N0} jobs in Redis in {started.Elapsed.TotalSeconds:0.0} s.");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            connection.Dispose();
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        };
        return (server, connection);
    }
}
