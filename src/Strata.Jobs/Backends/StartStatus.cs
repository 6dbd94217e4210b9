namespace Strata.Jobs.Backends;

/// <summary>What <see cref="IJobBackend.StartAsync"/> tells the worker to do with a delivery.</summary>
public enum StartStatus
{
    /// <summary>The job is marked running: run the handler.</summary>
    Run,

    /// <summary>The job was cancelled (or is gone); the backend dropped the delivery. Do not run it.</summary>
    Skip,

    /// <summary>Delivered too many times without finishing: the worker dead-letters it without running it.</summary>
    TooManyDeliveries,
}
