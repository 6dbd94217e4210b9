using System.Reflection;
using System.Runtime.ExceptionServices;
using Strata.Jobs.Backends;

namespace Strata.Jobs.Tests;

/// <summary>
/// Passes every call to an in-memory backend, counts receives and pause-flag reads, can fail the pause-flag reads, and
/// can play a backend whose hint of work covers every queue (a paused one's too), as a shared store's may.
/// </summary>
public class PauseProbeBackend : DispatchProxy
{
    private IJobBackend _inner = null!;
    private IReadOnlyList<string> _allQueues = [];
    private int _receives;
    private int _pauseReads;
    private volatile bool _failPauseReads;

    /// <summary>Calls of <see cref="IJobBackend.ReceiveAsync"/>.</summary>
    public int Receives => Volatile.Read(ref _receives);

    /// <summary>Calls of <see cref="IJobBackend.GetPausedQueuesAsync"/>.</summary>
    public int PauseReads => Volatile.Read(ref _pauseReads);

    /// <summary>True: <see cref="IJobBackend.GetPausedQueuesAsync"/> throws.</summary>
    public bool FailPauseReads
    {
        get => _failPauseReads;
        set => _failPauseReads = value;
    }

    /// <summary>What <see cref="IJobBackend.DescribeOutage"/> answers while <see cref="FailPauseReads"/> is set; null: the backend does not know.</summary>
    public string? Outage { get; set; }

    /// <summary>True: <see cref="IJobBackend.WaitForWorkAsync"/> returns at once while any queue (asked for or not) has work.</summary>
    public bool HintsForEveryQueue { get; set; }

    internal static IJobBackend Wrap(IJobBackend inner, IReadOnlyList<string> allQueues)
    {
        var proxy = Create<IJobBackend, PauseProbeBackend>();
        var probe = (PauseProbeBackend)(object)proxy;
        probe._inner = inner;
        probe._allQueues = allQueues;
        return proxy;
    }

    /// <inheritdoc />
    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        switch (targetMethod.Name)
        {
            case nameof(IJobBackend.ReceiveAsync):
                Interlocked.Increment(ref _receives);
                break;
            case nameof(IJobBackend.GetPausedQueuesAsync):
                Interlocked.Increment(ref _pauseReads);
                if (_failPauseReads)
                {
                    return ValueTask.FromException<IReadOnlyList<string>>(new InvalidOperationException("The store is out of reach (test)."));
                }

                break;
            case nameof(IJobBackend.DescribeOutage) when _failPauseReads:
                return Outage;
            case nameof(IJobBackend.WaitForWorkAsync) when HintsForEveryQueue && _allQueues.Any(q => _inner.GetDepth(q) > 0):
                return ValueTask.CompletedTask;
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
