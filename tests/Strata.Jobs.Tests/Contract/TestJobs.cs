using System.Collections.Concurrent;

namespace Strata.Jobs.Tests.Contract;

public sealed record EchoJob(string Text);

public sealed record EchoResult(string Upper, int Attempt);

public sealed record FlakyJob(string Key, int FailTimes);

public sealed record BlockingJob(string Key);

public sealed record HangingJob(string Key);

public sealed record RecordJob(string Key);

public sealed record SlowJob(string Key, int Milliseconds);

public sealed record ScopedJob(string Key);

public sealed record RejectedJob(string Key);

public sealed record ThreadHoldingJob(string Key);

/// <summary>What the test handlers saw; one per test host.</summary>
public sealed class Probe
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _started = new();

    public ConcurrentQueue<string> Runs { get; } = new();

    private int _running;
    private int _maxRunning;

    /// <summary>The most <see cref="SlowHandler"/>s that ran at once.</summary>
    public int MaxRunning => Volatile.Read(ref _maxRunning);

    public void HandlerEntered()
    {
        var now = Interlocked.Increment(ref _running);
        int seen;
        while (now > (seen = Volatile.Read(ref _maxRunning)) && Interlocked.CompareExchange(ref _maxRunning, now, seen) != seen)
        {
        }
    }

    public void HandlerLeft() => Interlocked.Decrement(ref _running);

    public ConcurrentDictionary<string, int> Attempts { get; } = new();

    public ConcurrentBag<Guid> Scopes { get; } = [];

    public ConcurrentBag<string> TokensFired { get; } = [];

    public TaskCompletionSource HangRelease { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Holds a <see cref="ThreadHoldingHandler"/> on its thread (no await) until set or until the job's token fires.</summary>
    public ManualResetEventSlim ThreadGate { get; } = new();

    public void MarkStarted(string key) => StartedSource(key).TrySetResult();

    public Task WaitStartedAsync(string key) => StartedSource(key).Task.WaitAsync(TimeSpan.FromSeconds(30));

    private TaskCompletionSource StartedSource(string key) =>
        _started.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}

public sealed class ScopedDependency
{
    public Guid Id { get; } = Guid.NewGuid();
}

public sealed class EchoHandler(Probe probe) : IJobHandler<EchoJob>
{
    public async Task HandleAsync(EchoJob job, JobContext context)
    {
        probe.Runs.Enqueue(job.Text);
        await context.ReportProgressAsync(50, "halfway");
        context.SetResult(new EchoResult(job.Text.ToUpperInvariant(), context.Attempt));
    }
}

public sealed class FlakyHandler(Probe probe) : IJobHandler<FlakyJob>
{
    public Task HandleAsync(FlakyJob job, JobContext context)
    {
        var calls = probe.Attempts.AddOrUpdate(job.Key, 1, (_, n) => n + 1);
        if (calls <= job.FailTimes)
        {
            // The message stands for a secret a careless handler might put in an exception.
            throw new InvalidOperationException("connection string password=hunter2 rejected");
        }

        return Task.CompletedTask;
    }
}

public sealed class BlockingHandler(Probe probe) : IJobHandler<BlockingJob>
{
    public async Task HandleAsync(BlockingJob job, JobContext context)
    {
        probe.MarkStarted(job.Key);
        try
        {
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
        }
        catch (OperationCanceledException)
        {
            probe.TokensFired.Add(job.Key);
            throw;
        }
    }
}

public sealed class HangingHandler(Probe probe) : IJobHandler<HangingJob>
{
    public async Task HandleAsync(HangingJob job, JobContext context)
    {
        probe.MarkStarted(job.Key);

        // Ignores its token on purpose; released by the test at the end.
        await probe.HangRelease.Task;
    }
}

public sealed class RecordHandler(Probe probe) : IJobHandler<RecordJob>
{
    public async Task HandleAsync(RecordJob job, JobContext context)
    {
        if (job.Key == "gate")
        {
            await probe.Gate.Task.WaitAsync(context.CancellationToken);
        }

        probe.Runs.Enqueue(job.Key);
    }
}

public sealed class SlowHandler(Probe probe) : IJobHandler<SlowJob>
{
    public async Task HandleAsync(SlowJob job, JobContext context)
    {
        probe.HandlerEntered();
        try
        {
            probe.MarkStarted(job.Key);
            await Task.Delay(job.Milliseconds, context.CancellationToken);
            probe.Runs.Enqueue(job.Key);
        }
        finally
        {
            probe.HandlerLeft();
        }
    }
}

public sealed class ScopedHandler(Probe probe, ScopedDependency dependency) : IJobHandler<ScopedJob>
{
    public Task HandleAsync(ScopedJob job, JobContext context)
    {
        probe.Scopes.Add(dependency.Id);
        return Task.CompletedTask;
    }
}

public sealed class RejectingHandler : IJobHandler<RejectedJob>
{
    public Task HandleAsync(RejectedJob job, JobContext context) =>
        throw new JobFailedException($"Job {job.Key} has an unsupported format.", retryable: false);
}

/// <summary>Holds its thread without awaiting: the worker cannot start anything queued behind it on that thread.</summary>
public sealed class ThreadHoldingHandler(Probe probe) : IJobHandler<ThreadHoldingJob>
{
    public Task HandleAsync(ThreadHoldingJob job, JobContext context)
    {
        probe.MarkStarted(job.Key);
        try
        {
            probe.ThreadGate.Wait(context.CancellationToken);
        }
        catch (OperationCanceledException)
        {
            probe.TokensFired.Add(job.Key);
            throw;
        }

        probe.Runs.Enqueue(job.Key);
        return Task.CompletedTask;
    }
}
