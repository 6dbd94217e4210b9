using Strata.Jobs.Backends;
using Strata.Threading;

namespace Strata.Jobs.Internal;

/// <summary>
/// The workers' concurrency gate: how many handlers may run at once (<see cref="JobsOptions.Concurrency"/>), which
/// slots are free, and the signal that wakes the dispatch loop when a job gives its slot back. Only the dispatch
/// loop takes slots; jobs only give them back, so the free count cannot drop below what the loop read.
/// </summary>
internal sealed class WorkerSlots
{
    private readonly AsyncSignal _jobFinished = new();
    private readonly int _concurrency;
    private int _free;
    private int _recording;
    private int _dispatcherWaiting;

    public WorkerSlots(int concurrency)
    {
        _concurrency = concurrency;
        _free = concurrency;
    }

    /// <summary>Slots no handler holds.</summary>
    public int Free => Volatile.Read(ref _free);

    /// <summary>Takes <paramref name="count"/> slots (the dispatch loop only, no more than <see cref="Free"/>).</summary>
    public void Take(int count) => Interlocked.Add(ref _free, -count);

    /// <summary>Gives back slots the dispatch loop took but found no job for.</summary>
    public void Return(int count) => Interlocked.Add(ref _free, count);

    /// <summary>Waits until a running job ends; false when stopping.</summary>
    public async ValueTask<bool> WaitForSlotAsync(CancellationToken stopping)
    {
        Interlocked.Exchange(ref _dispatcherWaiting, 1);
        try
        {
            if (Volatile.Read(ref _free) == 0)
            {
                await _jobFinished.WaitAsync(stopping).ConfigureAwait(false);
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        finally
        {
            Interlocked.Exchange(ref _dispatcherWaiting, 0);
        }
    }

    /// <summary>Announces that the dispatch loop is about to wait, so a job that ends from now on signals it.</summary>
    public void AnnounceWait() => Interlocked.Exchange(ref _dispatcherWaiting, 1);

    /// <summary>The dispatch loop no longer waits.</summary>
    public void EndWait() => Interlocked.Exchange(ref _dispatcherWaiting, 0);

    /// <summary>Completes when a job gives its slot back after <see cref="AnnounceWait"/>.</summary>
    public Task WaitForJobEndAsync(CancellationToken cancellationToken) => _jobFinished.WaitAsync(cancellationToken);

    /// <summary>
    /// A job whose success is on its way to the store gives its slot back early, so the dispatch loop can read the
    /// next jobs during the round trip; at most <c>concurrency</c> jobs do so at once, beyond that a job keeps its
    /// slot until recorded.
    /// </summary>
    public void ReleaseWhileRecording(JobDelivery delivery, QueueSelector.QueueState queue)
    {
        if (Interlocked.Increment(ref _recording) <= _concurrency)
        {
            Release(delivery, queue);
        }
        else
        {
            Interlocked.Decrement(ref _recording);
        }
    }

    /// <summary>The job's attempt ended: its slot goes back unless it went back while the outcome was recorded.</summary>
    public void JobEnded(JobDelivery delivery, QueueSelector.QueueState queue)
    {
        if (delivery.SlotReleased)
        {
            Interlocked.Decrement(ref _recording);
        }
        else
        {
            Release(delivery, queue);
        }
    }

    /// <summary>Gives the job's slot back (its handler no longer runs) and wakes the dispatch loop if it waits for one.</summary>
    private void Release(JobDelivery delivery, QueueSelector.QueueState queue)
    {
        delivery.SlotReleased = true;
        Interlocked.Decrement(ref queue.Running);
        Interlocked.Increment(ref _free);
        if (Volatile.Read(ref _dispatcherWaiting) == 1)
        {
            _jobFinished.Set();
        }
    }
}
