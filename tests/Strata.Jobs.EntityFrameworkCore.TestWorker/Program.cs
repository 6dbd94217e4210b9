using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Strata.Jobs.EntityFrameworkCore.TestWorker;

// Usage: Strata.Jobs.EntityFrameworkCore.TestWorker <PostgreSQL connection string>
// Runs four jobs at a time (the crash test counts on it), with a two-second lease.
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
        o.LeaseTime = TimeSpan.FromSeconds(2);
        o.PollInterval = TimeSpan.FromMilliseconds(200);
    });
using var host = builder.Build();
await host.StartAsync();
Console.WriteLine("ready");
await host.WaitForShutdownAsync();
return 0;
