using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace Strata.Benchmarks.Jobs;

/// <summary>Counts completions and completes a task when the expected number has been counted.</summary>
public sealed class CompletionCounter
{
    private long _count;
    private long _target = long.MaxValue;
    private TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completions counted since the last <see cref="Expect"/>.</summary>
    public long Count => Volatile.Read(ref _count);

    /// <summary>Resets the count and returns a task that completes when <paramref name="n"/> completions have been counted.</summary>
    /// <param name="n">How many completions to wait for.</param>
    /// <returns>The task.</returns>
    public Task Expect(int n)
    {
        _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _count, 0);
        Volatile.Write(ref _target, n);
        return _done.Task;
    }

    /// <summary>Counts one completion.</summary>
    public void Add()
    {
        var count = Interlocked.Increment(ref _count);
        if (count == Volatile.Read(ref _target))
        {
            _done.TrySetResult();
        }
        else if (count > Volatile.Read(ref _target))
        {
            _done.TrySetException(new InvalidOperationException($"Counted {count} completions, more than the {_target} expected."));
        }
    }
}

/// <summary>
/// Listens to the <c>strata.jobs.succeeded</c> counter of one host's meter: the worker adds to it only after the
/// store recorded the job as Succeeded, so reaching N means N jobs' status reads Succeeded.
/// </summary>
internal sealed class SucceededCounter : IDisposable
{
    private readonly CompletionCounter _counter = new();
    private readonly MeterListener _listener = new();

    public SucceededCounter(IServiceProvider services)
    {
        var factory = services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "Strata.Jobs" && ReferenceEquals(instrument.Meter.Scope, factory) && instrument.Name == "strata.jobs.succeeded")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, _, _) =>
        {
            for (var i = 0; i < value; i++)
            {
                _counter.Add();
            }
        });
        _listener.Start();
    }

    public Task Expect(int n) => _counter.Expect(n);

    public void Dispose() => _listener.Dispose();
}
