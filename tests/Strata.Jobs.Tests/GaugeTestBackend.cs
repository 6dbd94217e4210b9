using System.Reflection;
using System.Runtime.ExceptionServices;
using Strata.Jobs.Backends;

namespace Strata.Jobs.Tests;

/// <summary>
/// The real in-memory backend behind a pass-through proxy that counts the calls the gauge sampler makes and can make
/// the store unreachable for them (the edge of the system: the store's outage), as a remote store would fail.
/// </summary>
public class GaugeTestBackend : DispatchProxy
{
    private IJobBackend _inner = null!;
    private int _countCalls;

    /// <summary>While true, <c>CountAsync</c> and <c>GetOldestQueuedAsync</c> fail as an unreachable store does.</summary>
    public bool Unreachable { get; set; }

    /// <summary>How many times <c>CountAsync</c> was called.</summary>
    public int CountCalls => Volatile.Read(ref _countCalls);

    public static (IJobBackend Backend, GaugeTestBackend Control) Wrap(IJobBackend inner)
    {
        var backend = Create<IJobBackend, GaugeTestBackend>();
        var control = (GaugeTestBackend)(object)backend;
        control._inner = inner;
        return (backend, control);
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        if (targetMethod.Name == nameof(IJobBackend.CountAsync))
        {
            Interlocked.Increment(ref _countCalls);
            if (Unreachable)
            {
                return new ValueTask<IReadOnlyList<JobStateCount>>(Task.FromException<IReadOnlyList<JobStateCount>>(new IOException("The store is unreachable.")));
            }
        }

        if (targetMethod.Name == nameof(IJobBackend.GetOldestQueuedAsync) && Unreachable)
        {
            return new ValueTask<DateTimeOffset?>(Task.FromException<DateTimeOffset?>(new IOException("The store is unreachable.")));
        }

        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(ex.InnerException);
            throw;
        }
    }
}
