namespace Strata.Sample.Processing;

/// <summary>Where the sample keeps its job queue (<c>Jobs:Backend</c>).</summary>
public enum SampleJobBackend
{
    /// <summary>In process (Strata.Jobs' in-memory backend): role all only.</summary>
    Memory,

    /// <summary>In Redis (Strata.Jobs.Redis), shared by the api and worker roles.</summary>
    Redis,

    /// <summary>In the sample's own database (Strata.Jobs.EntityFrameworkCore), shared by the roles on PostgreSQL.</summary>
    Database,
}
