namespace Strata.Jobs.Testing;

/// <summary>Runs <see cref="ScopedHandler"/>: records the id of the <see cref="ScopedDependency"/> its handler was given.</summary>
/// <param name="Key">Not used; tells jobs apart.</param>
public sealed record ScopedJob(string Key);

/// <summary>Runs a <see cref="ScopedJob"/>.</summary>
/// <param name="probe">The host's probe.</param>
/// <param name="dependency">The job scope's dependency.</param>
public sealed class ScopedHandler(JobProbe probe, ScopedDependency dependency) : IJobHandler<ScopedJob>
{
    /// <inheritdoc />
    public Task HandleAsync(ScopedJob job, JobContext context)
    {
        probe.Scopes.Add(dependency.Id);
        return Task.CompletedTask;
    }
}
