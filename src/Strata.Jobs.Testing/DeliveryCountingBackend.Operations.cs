using Strata.Jobs.Backends;

namespace Strata.Jobs.Testing;

/// <summary>The query and control part: passed through; a deferred delivery is settled.</summary>
internal sealed partial class DeliveryCountingBackend
{
    public ValueTask<JobPage> SearchAsync(JobFilter filter, string? cursor, int limit, CancellationToken cancellationToken) =>
        inner.SearchAsync(filter, cursor, limit, cancellationToken);

    public ValueTask<IReadOnlyList<JobStateCount>> CountAsync(CancellationToken cancellationToken) =>
        inner.CountAsync(cancellationToken);

    public ValueTask<DateTimeOffset?> GetOldestQueuedAsync(string queue, CancellationToken cancellationToken) =>
        inner.GetOldestQueuedAsync(queue, cancellationToken);

    public ValueTask<long> RequeueManyAsync(JobFilter filter, CancellationToken cancellationToken) =>
        inner.RequeueManyAsync(filter, cancellationToken);

    public ValueTask<bool> DeleteAsync(string jobId, CancellationToken cancellationToken) =>
        inner.DeleteAsync(jobId, cancellationToken);

    public ValueTask<long> DeleteManyAsync(JobFilter filter, CancellationToken cancellationToken) =>
        inner.DeleteManyAsync(filter, cancellationToken);

    public ValueTask SetQueuePausedAsync(string queue, bool paused, CancellationToken cancellationToken) =>
        inner.SetQueuePausedAsync(queue, paused, cancellationToken);

    public ValueTask<IReadOnlyList<string>> GetPausedQueuesAsync(CancellationToken cancellationToken) =>
        inner.GetPausedQueuesAsync(cancellationToken);

    public ValueTask<IReadOnlyList<JobScheduleEntry>> GetSchedulesAsync(CancellationToken cancellationToken) =>
        inner.GetSchedulesAsync(cancellationToken);

    public ValueTask<bool> SaveScheduleAsync(string name, string data, long expectedVersion, CancellationToken cancellationToken) =>
        inner.SaveScheduleAsync(name, data, expectedVersion, cancellationToken);

    public ValueTask<bool> DeleteScheduleAsync(string name, CancellationToken cancellationToken) =>
        inner.DeleteScheduleAsync(name, cancellationToken);

    public ValueTask<bool> TryAcquireSlotAsync(string scope, int limit, string holder, TimeSpan lease, CancellationToken cancellationToken) =>
        inner.TryAcquireSlotAsync(scope, limit, holder, lease, cancellationToken);

    public ValueTask ReleaseSlotAsync(string scope, string holder, CancellationToken cancellationToken) =>
        inner.ReleaseSlotAsync(scope, holder, cancellationToken);

    public ValueTask<TimeSpan> TryTakePermitAsync(string key, int permits, TimeSpan window, CancellationToken cancellationToken) =>
        inner.TryTakePermitAsync(key, permits, window, cancellationToken);

    public async ValueTask DeferAsync(JobDelivery delivery, DateTimeOffset runAt, CancellationToken cancellationToken)
    {
        await inner.DeferAsync(delivery, runAt, cancellationToken).ConfigureAwait(false);
        Interlocked.Decrement(ref _held);
    }
}
