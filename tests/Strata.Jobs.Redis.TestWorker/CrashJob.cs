using StackExchange.Redis;

namespace Strata.Jobs.Redis.TestWorker;

/// <summary>A job that takes a while and then records its number in a Redis set (a set, so a redelivered job counts once).</summary>
public sealed record CrashJob(int Number, int Milliseconds, string DoneKey);

public sealed class CrashJobHandler(IConnectionMultiplexer redis) : IJobHandler<CrashJob>
{
    public async Task HandleAsync(CrashJob job, JobContext context)
    {
        await Task.Delay(job.Milliseconds, context.CancellationToken);
        await redis.GetDatabase().SetAddAsync(job.DoneKey, job.Number);
    }
}
