using System.Text.Json.Serialization.Metadata;

namespace Strata.Jobs;

/// <summary>What a handler knows about the job it runs, and how it reports back.</summary>
public abstract class JobContext
{
    /// <summary>The job id.</summary>
    public abstract string JobId { get; }

    /// <summary>The job type's registered name.</summary>
    public abstract string JobType { get; }

    /// <summary>The queue the job runs on.</summary>
    public abstract string Queue { get; }

    /// <summary>This attempt, starting at 1.</summary>
    public abstract int Attempt { get; }

    /// <summary>The most attempts the job gets.</summary>
    public abstract int MaxAttempts { get; }

    /// <summary>The owner tag given at enqueue, if any.</summary>
    public abstract string? Owner { get; }

    /// <summary>
    /// Fires when cancellation of the job is requested, when the attempt's timeout passes, and when the
    /// host shuts down and the drain window (<see cref="JobsOptions.ShutdownDrainTimeout"/>) is over.
    /// </summary>
    public abstract CancellationToken CancellationToken { get; }

    /// <summary>Records progress, visible through <see cref="IJobStore"/> and the GET endpoint.</summary>
    /// <param name="percent">0 to 100.</param>
    /// <param name="message">A short caller-safe message, or null.</param>
    public abstract ValueTask ReportProgressAsync(int percent, string? message = null);

    /// <summary>Sets the job's result, stored as JSON when the job succeeds.</summary>
    /// <param name="result">The result.</param>
    /// <param name="typeInfo">The metadata for <typeparamref name="TResult"/> (for example from a source-generated <c>JsonSerializerContext</c>).</param>
    public abstract void SetResult<TResult>(TResult result, JsonTypeInfo<TResult> typeInfo);

    /// <summary>Sets the job's result, serialized with <see cref="JobsOptions.SerializerOptions"/>.</summary>
    public abstract void SetResult<TResult>(TResult result);
}
