using StackExchange.Redis;

namespace Strata.Jobs.Redis.TestWorker;

/// <summary>
/// A job that takes a while and then records its number in a Redis set (a set, so a redelivered job counts once).
/// With a <paramref name="GateKey"/> it first waits until that key exists, so a test can keep it running for as long as it needs.
/// </summary>
public sealed record CrashJob(int Number, int Milliseconds, string DoneKey, string? GateKey = null);

public sealed class CrashJobHandler(IConnectionMultiplexer redis) : IJobHandler<CrashJob>
{
    public async Task HandleAsync(CrashJob job, JobContext context)
    {
        var db = redis.GetDatabase();
        while (job.GateKey is not null && !await db.KeyExistsAsync(job.GateKey))
        {
            await Task.Delay(20, context.CancellationToken);
        }

        await Task.Delay(job.Milliseconds, context.CancellationToken);
        await db.SetAddAsync(job.DoneKey, job.Number);
    }
}
