using StackExchange.Redis;
using Strata.Threading;

namespace Strata.Jobs.Redis;

/// <summary>
/// The backend's Pub/Sub listener: wake-ups for new work and newly scheduled jobs on each queue's channel, and
/// cancel requests for jobs this process runs. Subscribed once, on first use; a reconnect wakes both loops.
/// </summary>
internal sealed class RedisSubscriptions(RedisBackendContext context)
{
    private readonly RedisBackendContext _context = context;
    private readonly AsyncSignal _wake = new();
    private readonly AsyncSignal _scheduleChanged = new();
    private int _subscribed;

    /// <summary>Completes when new work may be waiting in a queue.</summary>
    public Task WaitForWakeAsync(CancellationToken cancellationToken) => _wake.WaitAsync(cancellationToken);

    /// <summary>Completes when a job was scheduled (or retried), so the delayed sets may need a look sooner.</summary>
    public Task WaitForScheduleChangeAsync(CancellationToken cancellationToken) => _scheduleChanged.WaitAsync(cancellationToken);

    /// <summary>Wakes the background loop: a job of this process was scheduled.</summary>
    public void ScheduleChanged() => _scheduleChanged.Set();

    public async ValueTask SubscribeAsync()
    {
        if (Volatile.Read(ref _subscribed) == 1)
        {
            return;
        }

        var connection = await _context.Connection.GetAsync().ConfigureAwait(false);
        if (Interlocked.Exchange(ref _subscribed, 1) == 1)
        {
            return;
        }

        try
        {
            var subscriber = connection.GetSubscriber();
            foreach (var queue in _context.Queues)
            {
                await subscriber.SubscribeAsync(RedisChannel.Literal(_context.KeysOf(queue).WakeChannel), (_, message) =>
                {
                    _wake.Set();
                    if (message == "scheduled")
                    {
                        _scheduleChanged.Set();
                    }
                }).ConfigureAwait(false);
            }

            await subscriber.SubscribeAsync(_context.CancelChannel, (_, message) => _context.Running.TryCancel(message.ToString())).ConfigureAwait(false);

            // After a reconnect, look at the queues at once (messages sent while disconnected are lost).
            connection.ConnectionRestored += (_, _) =>
            {
                _wake.Set();
                _scheduleChanged.Set();
            };
        }
        catch
        {
            Volatile.Write(ref _subscribed, 0);
            throw;
        }
    }
}
