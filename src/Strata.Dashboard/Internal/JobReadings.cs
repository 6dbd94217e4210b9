using Strata.Jobs;

namespace Strata.Dashboard.Internal;

/// <summary>The job readings that count over every stored job (totals per state, queues), throttled by their cost; one per host.</summary>
internal sealed class JobReadings(TimeProvider time)
{
    public ThrottledReading<IReadOnlyList<JobStateCount>> Counts { get; } = new(time);

    public ThrottledReading<IReadOnlyList<JobQueueStatus>> Queues { get; } = new(time);

    /// <summary>After a dashboard action: the next page reads again.</summary>
    public void Invalidate()
    {
        Counts.Invalidate();
        Queues.Invalidate();
    }
}
