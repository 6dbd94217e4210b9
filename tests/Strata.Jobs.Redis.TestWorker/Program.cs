using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Strata.Jobs.Redis.TestWorker;

// Usage: Strata.Jobs.Redis.TestWorker <redis configuration> <key prefix>
// Runs four jobs at a time (the fault tests count on it) as consumer "child-<process id>".
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: Strata.Jobs.Redis.TestWorker <redis configuration> <key prefix>");
    return 2;
}

var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var redis = await ConnectionMultiplexer.ConnectAsync(args[0]);
builder.Services.AddSingleton<IConnectionMultiplexer>(redis);
builder.Services.AddStrataJobs(o => o.Concurrency = 4)
    .AddHandler<CrashJob, CrashJobHandler>()
    .UseRedis(o =>
    {
        o.KeyPrefix = args[1];
        o.ConsumerName = "child-" + Environment.ProcessId;
    });
using var host = builder.Build();
await host.StartAsync();
Console.WriteLine("ready");
await host.WaitForShutdownAsync();
return 0;
