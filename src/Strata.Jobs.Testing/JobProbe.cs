using System.Collections.Concurrent;

namespace Strata.Jobs.Testing;

/// <summary>What the test handlers saw, and the gates that hold them; one per test host (or shared by hosts on one store).</summary>
public sealed class JobProbe
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _started = new();
    private int _running;
    private int _maxRunning;

    /// <summary>The keys (or texts) of the jobs whose handlers ran to the end, in the order they finished.</summary>
    public ConcurrentQueue<string> Runs { get; } = new();

    /// <summary>The most <see cref="SlowHandler"/>s that ran at once.</summary>
    public int MaxRunning => Volatile.Read(ref _maxRunning);

    /// <summary>Calls of <see cref="FlakyHandler"/>, by the job's key.</summary>
    public ConcurrentDictionary<string, int> Attempts { get; } = new();

    /// <summary>The id of the <see cref="ScopedDependency"/> each <see cref="ScopedHandler"/> was given.</summary>
    public ConcurrentBag<Guid> Scopes { get; } = [];

    /// <summary>The keys of the jobs whose cancellation token fired while their handler waited.</summary>
    public ConcurrentBag<string> TokensFired { get; } = [];

    /// <summary>Releases every <see cref="HangingHandler"/> (they ignore their token); set when the host is disposed.</summary>
    public TaskCompletionSource HangRelease { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Holds the <see cref="RecordJob"/> with key <c>gate</c> until set; set when the host is disposed.</summary>
    public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Holds a <see cref="ThreadHoldingHandler"/> on its thread (no await) until set or until the job's token fires.</summary>
    public ManualResetEventSlim ThreadGate { get; } = new();

    /// <summary>Counts a <see cref="SlowHandler"/> in.</summary>
    public void HandlerEntered()
    {
        var now = Interlocked.Increment(ref _running);
        int seen;
        while (now > (seen = Volatile.Read(ref _maxRunning)) && Interlocked.CompareExchange(ref _maxRunning, now, seen) != seen)
        {
        }
    }

    /// <summary>Counts a <see cref="SlowHandler"/> out.</summary>
    public void HandlerLeft() => Interlocked.Decrement(ref _running);

    /// <summary>Marks the handler of the job with <paramref name="key"/> started.</summary>
    /// <param name="key">The job's key.</param>
    public void MarkStarted(string key) => StartedSource(key).TrySetResult();

    /// <summary>Waits (at most 30 s) until the handler of the job with <paramref name="key"/> has started.</summary>
    /// <param name="key">The job's key.</param>
    /// <returns>A task that completes when it has started.</returns>
    public Task WaitStartedAsync(string key) => StartedSource(key).Task.WaitAsync(TimeSpan.FromSeconds(30));

    private TaskCompletionSource StartedSource(string key) =>
        _started.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}
