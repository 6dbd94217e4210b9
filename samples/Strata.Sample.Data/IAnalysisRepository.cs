namespace Strata.Sample.Data;

/// <summary>Stores and reads analyses.</summary>
public interface IAnalysisRepository
{
    /// <summary>
    /// Stores the document and its analysis in one transaction. With a <see cref="NewAnalysis.JobId"/> it is
    /// idempotent: when an analysis with that job id exists (a job delivered twice), it returns the stored one and
    /// writes nothing, also when two calls race (a unique index decides, the loser reads the winner's row).
    /// </summary>
    /// <exception cref="ArgumentException">A required field is empty, or a count is negative.</exception>
    Task<StoredAnalysis> SaveAsync(NewAnalysis analysis, CancellationToken cancellationToken = default);

    /// <summary>The analysis stored for <paramref name="jobId"/>, or <see langword="null"/>.</summary>
    Task<StoredAnalysis?> FindByJobAsync(string jobId, CancellationToken cancellationToken = default);
}
