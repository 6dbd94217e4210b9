namespace Strata.Jobs.Internal;

internal sealed partial class JobsGaugeSampler
{
    /// <summary>One reading of the sampler: counts per configured queue and state, and each queue's oldest waiting job.</summary>
    /// <param name="Queues">The configured queues.</param>
    /// <param name="Counts">Jobs per queue and state, queue-major: queue <c>q</c>, state <c>s</c> at <c>q * States.Length + s</c>.</param>
    /// <param name="OldestQueuedAt">Per queue, when its longest-waiting job became runnable; null when none waits.</param>
    internal sealed record Reading(IReadOnlyList<string> Queues, long[] Counts, DateTimeOffset?[] OldestQueuedAt)
    {
        /// <summary>Every state, in the order of <see cref="Counts"/>.</summary>
        public static readonly JobState[] States = Enum.GetValues<JobState>();
    }
}
