using Microsoft.Extensions.DependencyInjection;
using Strata.Jobs.Backends;
using Strata.Jobs.Testing;

namespace Strata.Jobs.EntityFrameworkCore.Tests;

/// <summary>
/// Hosts on one real database for the operations tests. Jobs are written and settled through the backend itself, on
/// queues no worker takes from ("ops-..."), so each test sets the states it needs and nothing runs them behind its back.
/// </summary>
public abstract class OperationsTestBase : JobBackendTestBase
{
    protected static readonly DateTimeOffset Epoch = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    protected abstract ITestDatabase Database { get; }

    protected override void UseBackend(JobsBuilder builder)
    {
        builder.Services.AddDbContext<AppDbContext>(Database.Configure);
        builder.UseEntityFramework<AppDbContext>(o => o.PollInterval = TimeSpan.FromMilliseconds(200));
    }

    /// <summary>A host whose backend reads <paramref name="time"/> (a fake clock, shared by hosts to make one fleet clock).</summary>
    protected Task<TestJobsHost> StartHostAsync(TimeProvider time) =>
        StartHostAsync(services: s => s.AddSingleton(time));

    protected static JobEnvelope Envelope(string queue, DateTimeOffset createdAt, string? owner = null, string? key = null, string? limitKey = null, string type = "EchoJob") => new()
    {
        Id = JobIds.Create(queue),
        JobType = type,
        Queue = queue,
        Payload = "{}",
        MaxAttempts = 3,
        Owner = owner,
        CreatedAt = createdAt,
        EnqueuedAt = createdAt,
        IdempotencyKey = key,
        LimitKey = limitKey,
    };

    /// <summary>Stores <paramref name="count"/> jobs at once (the backend batches them as it batches a burst of enqueues).</summary>
    protected static async Task<List<JobEnvelope>> EnqueueAsync(IJobBackend backend, int count, Func<int, JobEnvelope> envelope)
    {
        var envelopes = Enumerable.Range(0, count).Select(envelope).ToList();
        foreach (var chunk in envelopes.Chunk(200))
        {
            var results = await Task.WhenAll(chunk.Select(e => backend.EnqueueAsync(e, runAt: null, waitForRoom: false, CancellationToken.None).AsTask()));
            results.Should().OnlyContain(r => r.Status == EnqueueStatus.Enqueued);
        }

        return envelopes;
    }

    /// <summary>Takes every runnable job of <paramref name="queue"/> and settles each with <paramref name="settle"/>; returns how many.</summary>
    protected static async Task<int> SettleAllAsync(IJobBackend backend, string queue, Func<JobDelivery, ValueTask> settle)
    {
        var settled = 0;
        while (true)
        {
            var batch = await backend.ReceiveAsync(queue, 100, CancellationToken.None);
            if (batch.Count == 0)
            {
                return settled;
            }

            await Task.WhenAll(batch.Select(d => settle(d).AsTask()));
            settled += batch.Count;
        }
    }

    protected static ValueTask DeadAsync(IJobBackend backend, JobDelivery delivery) =>
        backend.DeadLetterAsync(delivery, "The handler failed with InvalidOperationException.", CancellationToken.None);

    protected static async Task<List<JobInfo>> SearchAllAsync(IJobBackend backend, JobFilter filter, int pageSize = 50)
    {
        var all = new List<JobInfo>();
        string? cursor = null;
        do
        {
            var page = await backend.SearchAsync(filter, cursor, pageSize, CancellationToken.None);
            all.AddRange(page.Jobs);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return all;
    }

    protected static string NewQueue(string name) => $"ops-{name}-{Guid.NewGuid().ToString("N")[..6]}";
}
