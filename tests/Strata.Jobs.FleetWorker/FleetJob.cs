using System.Globalization;

namespace Strata.Jobs.FleetWorker;

/// <summary>A job of the fleet tests: waits <paramref name="Milliseconds"/>, then writes one line to its process's log.</summary>
/// <param name="Kind">What the test counts it as.</param>
/// <param name="Milliseconds">How long it runs.</param>
public sealed record FleetJob(string Kind, int Milliseconds);

/// <summary>Runs a <see cref="FleetJob"/> and logs <c>kind,process id,start ticks,end ticks</c> (UTC) to <see cref="FleetLog"/>.</summary>
public sealed class FleetJobHandler(FleetLog log, TimeProvider time) : IJobHandler<FleetJob>
{
    public async Task HandleAsync(FleetJob job, JobContext context)
    {
        var start = time.GetUtcNow();
        if (job.Milliseconds > 0)
        {
            await Task.Delay(job.Milliseconds, context.CancellationToken);
        }

        log.Write(string.Create(CultureInfo.InvariantCulture, $"{job.Kind},{Environment.ProcessId},{start.UtcTicks},{time.GetUtcNow().UtcTicks},{context.JobId}"));
    }
}

/// <summary>One file per process, appended line by line.</summary>
public sealed class FleetLog(string path)
{
    private readonly Lock _gate = new();

    public void Write(string line)
    {
        lock (_gate)
        {
            File.AppendAllLines(path, [line]);
        }
    }
}
