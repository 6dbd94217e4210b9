namespace Strata.Jobs.Backends;

/// <summary>
/// The jobs running on this host, for a backend that learns of a cancel request (from another node, or from its own
/// store) and must reach the handler's token. Take it from DI.
/// </summary>
public interface IRunningJobs
{
    /// <summary>True when the job runs on this host now.</summary>
    /// <param name="jobId">The job's id.</param>
    /// <returns>True when running here.</returns>
    bool IsRunning(string jobId);

    /// <summary>Cancels the job's token if it runs on this host.</summary>
    /// <param name="jobId">The job's id.</param>
    /// <returns>True when the job runs here and was asked to stop.</returns>
    bool TryCancel(string jobId);
}
