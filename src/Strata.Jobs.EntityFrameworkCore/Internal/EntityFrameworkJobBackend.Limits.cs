using Strata.Jobs.Backends;

namespace Strata.Jobs.EntityFrameworkCore.Internal;

/// <summary>
/// Fleet-wide limits, decided in the database under a lock per scope or key (see <see cref="LimitSql"/>), on the
/// backend's clock as its leases are; and deferring a job a limit held back.
/// </summary>
internal sealed partial class EntityFrameworkJobBackend<TContext>
{
    public async ValueTask<bool> TryAcquireSlotAsync(string scope, int limit, string holder, TimeSpan lease, CancellationToken cancellationToken)
    {
        var session = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var sql = Sql(session).Limits;
            await session.BeginAsync(cancellationToken).ConfigureAwait(false);
            if (sql.LockSlots is { } lockSlots)
            {
                using var lockCommand = session.Command(lockSlots).With("@scope", scope);
                await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            // Read under the lock: a time read before it would be stale by the wait for the lock.
            var now = _time.GetUtcNow();

            using (var drop = session.Command(sql.DropExpiredSlots).With("@scope", scope).With("@now", Ms(now)))
            {
                await drop.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            var until = Ms(now + lease);
            bool held;
            using (var renew = session.Command(sql.RenewSlot).With("@scope", scope).With("@holder", holder).With("@until", until))
            {
                held = await renew.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
            }

            if (!held)
            {
                using var take = session.Command(sql.TakeSlot).With("@scope", scope).With("@holder", holder).With("@until", until).With("@limit", (long)limit);
                held = await take.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0;
            }

            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
            return held;
        }
    }

    public async ValueTask ReleaseSlotAsync(string scope, string holder, CancellationToken cancellationToken)
    {
        var session = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            using var command = session.Command(Sql(session).Limits.ReleaseSlot).With("@scope", scope).With("@holder", holder);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask<TimeSpan> TryTakePermitAsync(string key, int permits, TimeSpan window, CancellationToken cancellationToken)
    {
        var windowMs = Math.Max(1, (long)Math.Ceiling(window.TotalMilliseconds));
        var session = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var sql = Sql(session).Limits;
            await session.BeginAsync(cancellationToken).ConfigureAwait(false);
            if (sql.LockPermits is { } lockPermits)
            {
                using var lockCommand = session.Command(lockPermits).With("@key", key);
                await lockCommand.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            // Read under the lock (SQLite's BEGIN IMMEDIATE or PostgreSQL's advisory lock): a permit stamped with a
            // time read before the wait for the lock would leave the window early, and admit more than the limit.
            var now = Ms(_time.GetUtcNow());

            // The window is (now - window, now]: a permit taken at or before its start no longer counts.
            using (var drop = session.Command(sql.DropOldPermits).With("@key", key).With("@since", now - windowMs))
            {
                await drop.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            long taken;
            long? oldest;
            using (var count = session.Command(sql.CountPermits).With("@key", key))
            {
                var reader = await count.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
                    taken = reader.GetInt64(0);
                    oldest = reader.NullableInt64(1);
                }
            }

            var wait = TimeSpan.Zero;
            if (taken < permits)
            {
                using var take = session.Command(sql.TakePermit).With("@key", key).With("@now", now);
                await take.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            else
            {
                // Free when the oldest permit leaves the window.
                wait = TimeSpan.FromMilliseconds(Math.Max(1, (oldest ?? now) + windowMs - now));
            }

            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
            return wait;
        }
    }

    public async ValueTask DeferAsync(JobDelivery delivery, DateTimeOffset runAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        await SettleAsync(delivery, static sql => sql.Defer, command => command.With("@runAt", Ms(runAt)), cancellationToken).ConfigureAwait(false);
        if (runAt <= _time.GetUtcNow())
        {
            _wake.Set();
        }
    }
}
