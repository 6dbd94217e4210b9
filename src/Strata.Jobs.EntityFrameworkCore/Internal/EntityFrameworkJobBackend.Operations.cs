using Strata.Jobs.Backends;

namespace Strata.Jobs.EntityFrameworkCore.Internal;

// PLACEHOLDER: replaced by the real implementation before this branch reaches main.
internal sealed partial class EntityFrameworkJobBackend<TContext>
{
    public ValueTask<JobPage> SearchAsync(JobFilter filter, string? cursor, int limit, CancellationToken cancellationToken) => throw new NotImplementedException();

    public ValueTask<IReadOnlyList<JobStateCount>> CountAsync(CancellationToken cancellationToken) => throw new NotImplementedException();

    public ValueTask<DateTimeOffset?> GetOldestQueuedAsync(string queue, CancellationToken cancellationToken) => throw new NotImplementedException();

    public ValueTask<long> RequeueManyAsync(JobFilter filter, CancellationToken cancellationToken) => throw new NotImplementedException();

    public ValueTask<bool> DeleteAsync(string jobId, CancellationToken cancellationToken) => throw new NotImplementedException();

    public ValueTask<long> DeleteManyAsync(JobFilter filter, CancellationToken cancellationToken) => throw new NotImplementedException();

    public ValueTask SetQueuePausedAsync(string queue, bool paused, CancellationToken cancellationToken) => throw new NotImplementedException();

    public ValueTask<IReadOnlyList<string>> GetPausedQueuesAsync(CancellationToken cancellationToken) => throw new NotImplementedException();

    public ValueTask<IReadOnlyList<JobScheduleEntry>> GetSchedulesAsync(CancellationToken cancellationToken) => throw new NotImplementedException();

    public ValueTask<bool> SaveScheduleAsync(string name, string data, long expectedVersion, CancellationToken cancellationToken) => throw new NotImplementedException();

    public ValueTask<bool> DeleteScheduleAsync(string name, CancellationToken cancellationToken) => throw new NotImplementedException();

    public ValueTask<bool> TryAcquireSlotAsync(string scope, int limit, string holder, TimeSpan lease, CancellationToken cancellationToken) => throw new NotImplementedException();

    public ValueTask ReleaseSlotAsync(string scope, string holder, CancellationToken cancellationToken) => throw new NotImplementedException();

    public ValueTask<TimeSpan> TryTakePermitAsync(string key, int permits, TimeSpan window, CancellationToken cancellationToken) => throw new NotImplementedException();

    public ValueTask DeferAsync(JobDelivery delivery, DateTimeOffset runAt, CancellationToken cancellationToken) => throw new NotImplementedException();
}
