using Strata.Jobs.Backends;
using Strata.Threading;

namespace Strata.Jobs.Internal;

/// <summary>
/// The in-memory backend's delayed jobs (scheduled, retrying, or handed back to a full queue): a priority queue by
/// due time, and the signal that wakes the backend's loop when an earlier one arrives.
/// </summary>
internal sealed class InMemoryScheduler
{
    private readonly PriorityQueue<(JobEnvelope Envelope, InMemoryJobRecord Record), DateTimeOffset> _scheduled = new();
    private readonly AsyncSignal _changed = new();

    public void Schedule(JobEnvelope envelope, InMemoryJobRecord record, DateTimeOffset due)
    {
        lock (_scheduled)
        {
            _scheduled.Enqueue((envelope, record), due);
        }

        _changed.Set();
    }

    /// <summary>Moves the jobs due at <paramref name="now"/> into <paramref name="due"/>; returns when the next one is due.</summary>
    public DateTimeOffset? TakeDue(DateTimeOffset now, List<(JobEnvelope Envelope, InMemoryJobRecord Record)> due)
    {
        lock (_scheduled)
        {
            while (_scheduled.TryPeek(out var entry, out var at) && at <= now)
            {
                _scheduled.Dequeue();
                due.Add(entry);
            }

            return _scheduled.TryPeek(out _, out var nextAt) ? nextAt : null;
        }
    }

    /// <summary>Jobs scheduled and still waiting (not cancelled, nor their record reused, meanwhile).</summary>
    public long CountWaiting()
    {
        long waiting = 0;
        lock (_scheduled)
        {
            foreach (var ((envelope, record), _) in _scheduled.UnorderedItems)
            {
                // Cancelled, or reused for a later job, since it was scheduled: not waiting.
                if (record.State is JobState.Scheduled or JobState.Failed or JobState.Queued && ReferenceEquals(record.Envelope, envelope))
                {
                    waiting++;
                }
            }
        }

        return waiting;
    }

    /// <summary>Waits for <paramref name="wait"/> to pass, or for a job to be scheduled, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan wait, TimeProvider time, CancellationToken cancellationToken)
    {
        using var wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var signalled = _changed.WaitAsync(wake.Token);
        var elapsed = Task.Delay(wait < TimeSpan.Zero ? TimeSpan.Zero : wait, time, wake.Token);
        await Task.WhenAny(signalled, elapsed).ConfigureAwait(false);
        await wake.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(signalled, elapsed).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }
}
