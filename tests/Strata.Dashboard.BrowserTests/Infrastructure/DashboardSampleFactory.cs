using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Strata.Jobs;

namespace Strata.Dashboard.BrowserTests.Infrastructure;

/// <summary>
/// The sample in role api on real Kestrel (a free loopback port) over a real redis-server: the job queue and the rate
/// limits in Redis, under a key prefix of this run, with this process also running the workers (as a worker-role
/// process would) so jobs reach a final state. Besides the sample's own job types it registers
/// <see cref="ProbeJob"/> and two queues of its own (<see cref="QueueToPause"/>, <see cref="OtherQueue"/>).
/// </summary>
public sealed class DashboardSampleFactory : WebApplicationFactory<Program>
{
    public const string QueueToPause = "browser-paused";
    public const string OtherQueue = "browser-other";

    private readonly string _redis;
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "strata-browser-tests", Guid.NewGuid().ToString("N"));

    public DashboardSampleFactory(string redisConnectionString)
    {
        _redis = redisConnectionString;
        Directory.CreateDirectory(_directory);
        UseKestrel(0);
    }

    /// <summary>The host's log events, to wait for one.</summary>
    public LogEvents Events { get; } = new();

    /// <summary>The server's address (http://127.0.0.1:port), once started.</summary>
    public Uri Address
    {
        get
        {
            StartServer();
            return ClientOptions.BaseAddress;
        }
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ConnectionStrings:Database", $"Data Source={Path.Combine(_directory, "sample.db")}");
        builder.UseSetting("Ai:SimulatedLatency", "00:00:00");
        builder.UseSetting("Strata:Role", "api");
        builder.UseSetting("ConnectionStrings:Redis", _redis);
        builder.UseSetting("Jobs:Redis:KeyPrefix", $"strata:browser:{Guid.NewGuid():N}:");
        // Delayed jobs and requeued ones are looked for on this interval; short, so a test waits for the work itself.
        builder.UseSetting("Jobs:Redis:PollInterval", "00:00:00.200");
        builder.ConfigureLogging(logging => logging.AddProvider(Events));
        builder.ConfigureTestServices(services =>
        {
            services.PostConfigure<JobsOptions>(options =>
            {
                options.RunWorkers = true;
                if (options.Queues.Count == 0)
                {
                    options.AddQueue(options.DefaultQueue);
                }

                options.AddQueue(QueueToPause).AddQueue(OtherQueue);
            });
            services.AddStrataJobs().AddHandler<ProbeJob, ProbeJobHandler>(ProbeJobHandler.Name);
        });
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // A file still open on a slow shutdown: the temp directory is cleaned by the OS.
            }
        }
    }
}
