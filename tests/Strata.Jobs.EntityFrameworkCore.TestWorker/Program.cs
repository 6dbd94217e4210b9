using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Strata.Jobs.EntityFrameworkCore.TestWorker;

// Usage: Strata.Jobs.EntityFrameworkCore.TestWorker <PostgreSQL connection string>
// Runs four jobs at a time (the crash test counts on it), with an eight-second lease: short enough for a quick test,
// long enough that a stall of this process on a loaded machine (JIT at start, two cores shared with the whole test run)
// does not let the lease of a job it is still running run out. At two seconds one such stall made a job the child
// finished count as delivered twice.
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: Strata.Jobs.EntityFrameworkCore.TestWorker <PostgreSQL connection string>");
    return 2;
}

var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddDbContext<CrashDbContext>(o => o.UseNpgsql(args[0]));
builder.Services.AddStrataJobs(o => o.Concurrency = 4)
    .AddHandler<CrashJob, CrashJobHandler>()
    .UseEntityFramework<CrashDbContext>(o =>
    {
        o.LeaseTime = TimeSpan.FromSeconds(8);
        o.PollInterval = TimeSpan.FromMilliseconds(200);
    });
using var host = builder.Build();
await host.StartAsync();
Console.WriteLine("ready");
await host.WaitForShutdownAsync();
return 0;
