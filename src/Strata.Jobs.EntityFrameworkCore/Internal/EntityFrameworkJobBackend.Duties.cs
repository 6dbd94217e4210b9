namespace Strata.Jobs.EntityFrameworkCore.Internal;

/// <summary>What every node does while its workers run: renew its leases, hand out again the jobs of stopped workers, forget expired status and keys, and count the waiting jobs.</summary>
internal sealed partial class EntityFrameworkJobBackend<TContext>
{
    public async Task RunAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromTicks(Math.Min(_options.LeaseTime.Ticks / 3, _options.PollInterval.Ticks * 5));
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await RenewLeasesAsync(cancellationToken).ConfigureAwait(false);
                await ReclaimAndPurgeAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                EntityFrameworkJobsLog.DutiesFailed(_logger, ex);
            }

            try
            {
                await Task.Delay(interval, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Extends the lease of every delivery held here, and reaches the token of each one cancelled from another node.</summary>
    private async Task RenewLeasesAsync(CancellationToken cancellationToken)
    {
        var tokens = _inFlight.Values.Distinct(StringComparer.Ordinal).ToList();
        if (tokens.Count == 0)
        {
            return;
        }

        var until = Ms(_time.GetUtcNow() + _options.LeaseTime);
        var cancelled = new List<string>();
        var session = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var sql = Sql(session);
            foreach (var token in tokens)
            {
                using var command = session.Command(sql.Heartbeat).With("@token", token).With("@until", until);
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        if (reader.GetBoolean(1))
                        {
                            cancelled.Add(reader.GetString(0));
                        }
                    }
                }
            }
        }

        foreach (var jobId in cancelled)
        {
            _running.TryCancel(jobId);
        }
    }

    private async Task ReclaimAndPurgeAsync(CancellationToken cancellationToken)
    {
        var now = Ms(_time.GetUtcNow());
        int reclaimed;
        var session = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var sql = Sql(session);
            using (var reclaim = session.Command(sql.Reclaim).With("@now", now).With("@expires", now + RetentionMs))
            {
                reclaimed = await reclaim.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            using (var purge = session.Command(sql.PurgeJobs).With("@now", now))
            {
                await purge.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            using (var purgeKeys = session.Command(sql.PurgeKeys).With("@now", now))
            {
                await purgeKeys.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            using var depths = session.Command(sql.Depths);
            var reader = await depths.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var queue = reader.GetString(0);
                    seen.Add(queue);
                    _depth[queue] = reader.GetInt64(1);
                }
            }

            foreach (var queue in _depth.Keys.Where(q => !seen.Contains(q)))
            {
                _depth[queue] = 0;
            }
        }

        if (reclaimed > 0)
        {
            EntityFrameworkJobsLog.Reclaimed(_logger, reclaimed);
            _wake.Set();
        }
    }
}
