namespace Strata.Jobs.EntityFrameworkCore;

/// <summary>Settings of the database job backend (<c>UseEntityFrameworkCore&lt;TContext&gt;()</c>).</summary>
public sealed class EntityFrameworkJobsOptions
{
    /// <summary>
    /// How often an idle worker asks the database for work (default 1 s). A job enqueued on this host wakes its own
    /// workers at once; on another host it waits up to this long.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a delivery stays with its worker without a heartbeat (default 30 s). A worker renews its leases every
    /// third of it; the jobs of a worker that stopped (crashed, killed) are handed out again once it runs out.
    /// </summary>
    public TimeSpan LeaseTime { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Deliveries of one attempt before the job is dead-lettered without running (default 5): a job that kills its worker does not loop.</summary>
    public int MaxDeliveries { get; set; } = 5;

    /// <summary>Jobs taken from a queue in one statement, at most (default 100); fewer when the workers have fewer free slots.</summary>
    public int ReceiveBatchSize { get; set; } = 100;
}
