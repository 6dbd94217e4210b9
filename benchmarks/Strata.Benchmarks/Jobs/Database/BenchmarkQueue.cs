namespace Strata.Benchmarks.Jobs.Database;

/// <summary>
/// One job system under test, started on its own store: enqueue a no-op job stamped with the time of the call, and
/// complete a task when a given number of jobs is done. The handler records the enqueue-to-start time of each job.
/// </summary>
internal abstract class BenchmarkQueue : IAsyncDisposable
{
    /// <summary>Enqueue-to-start times (<see cref="System.Diagnostics.Stopwatch"/> ticks) of the jobs handled.</summary>
    public LatencyRecorder Latency { get; } = new();

    /// <summary>Handler runs, counted as they start (the latency benchmark waits on it job by job).</summary>
    public CompletionCounter Started { get; } = new();

    /// <summary>Handler runs again, for <see cref="ExpectDone"/> where the system has no counter of its own.</summary>
    public CompletionCounter Ran { get; } = new();

    /// <summary>True when <see cref="EnqueueAsync"/> blocks its thread (Hangfire's client): producers get threads of their own.</summary>
    public virtual bool BlocksOnEnqueue => false;

    /// <summary>Enqueues job <paramref name="n"/>.</summary>
    public abstract ValueTask EnqueueAsync(int n);

    /// <summary>A task that completes when <paramref name="n"/> more jobs are done as far as the system's own status goes.</summary>
    public abstract Task ExpectDone(int n);

    /// <summary>Waits until the jobs counted by <see cref="ExpectDone"/> are recorded as done (status that lags the count).</summary>
    public virtual Task ConfirmDoneAsync() => Task.CompletedTask;

    /// <summary>Checks the jobs of the last run and stops everything.</summary>
    public abstract ValueTask DisposeAsync();
}
