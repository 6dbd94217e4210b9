namespace Strata.Jobs.Testing;

/// <summary>A scoped service: each job's handler gets the one of the job's own scope.</summary>
public sealed class ScopedDependency
{
    /// <summary>This instance's id.</summary>
    public Guid Id { get; } = Guid.NewGuid();
}
