using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Strata.Jobs.FleetWorker;

// Usage: Strata.Jobs.FleetWorker <redis|postgres> <connection> <key prefix or -> <log file>
// One worker of a fleet: the tests start three on one store and read the log files they write.
if (args.Length != 4)
{
    Console.Error.WriteLine("usage: Strata.Jobs.FleetWorker <redis|postgres> <connection> <key prefix or -> <log file>");
    return 2;
}

var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddSingleton(new FleetLog(args[3]));
builder.Services.AddStrataJobs(FleetSetup.Configure)
    .AddHandler<FleetJob, FleetJobHandler>()
    .UseFleetBackend(args[0], args[1], args[2]);
using var host = builder.Build();
await host.StartAsync();
Console.WriteLine("ready");
await host.WaitForShutdownAsync();
return 0;
