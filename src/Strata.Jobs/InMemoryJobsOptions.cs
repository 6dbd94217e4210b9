using System.Threading.Channels;

namespace Strata.Jobs;

/// <summary>Settings of the in-process backend (bounded channels; jobs live in this process only).</summary>
public sealed class InMemoryJobsOptions
{
    /// <summary>How many jobs one queue holds before it is full.</summary>
    /// <value>Defaults to 10,000.</value>
    public int Capacity { get; set; } = 10_000;

    /// <summary>
    /// What enqueue does when a queue is full: <see cref="BoundedChannelFullMode.Wait"/> waits for room
    /// (and <see cref="IJobQueue.TryEnqueueAsync{TJob}(TJob, JobOptions?, CancellationToken)"/> returns null);
    /// the drop modes never wait and record the dropped job as dead with an error saying so.
    /// </summary>
    /// <value>Defaults to <see cref="BoundedChannelFullMode.Wait"/>.</value>
    public BoundedChannelFullMode FullMode { get; set; } = BoundedChannelFullMode.Wait;
}
