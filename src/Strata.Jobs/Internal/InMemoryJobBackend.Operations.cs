using System.Globalization;
using Strata.Jobs.Backends;

namespace Strata.Jobs.Internal;

/// <summary>
/// The query and control part of the in-memory backend. Searches, counts and bulk operations visit every record
/// (the table holds only this process's jobs); pause flags, schedules, slots and permits are plain collections under
/// one lock each, on the host's <see cref="TimeProvider"/>.
/// </summary>
internal sealed partial class InMemoryJobBackend
{
    private readonly HashSet<string> _paused = new(StringComparer.Ordinal);
    private readonly Dictionary<string, JobScheduleEntry> _schedules = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, DateTimeOffset>> _slots = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<DateTimeOffset>> _permits = new(StringComparer.Ordinal);

    public ValueTask<JobPage> SearchAsync(JobFilter filter, string? cursor, int limit, CancellationToken cancellationToken)
    {
        var after = cursor is null ? ((DateTimeOffset, string)?)null : ParseCursor(cursor);
        var found = _status.Scan(filter);
        if (after is var (createdAt, id))
        {
            found.RemoveAll(f => f.CreatedAt > createdAt || (f.CreatedAt == createdAt && string.CompareOrdinal(f.Id, id) >= 0));
        }

        found.Sort(static (a, b) => b.CreatedAt != a.CreatedAt ? b.CreatedAt.CompareTo(a.CreatedAt) : string.CompareOrdinal(b.Id, a.Id));
        var jobs = new List<JobInfo>(Math.Min(limit, found.Count));
        var last = -1;
        for (var i = 0; i < found.Count && jobs.Count < limit; i++)
        {
            // Null when the job changed so that it no longer exists (deleted, expired) since the scan.
            if (found[i].Record.Snapshot(found[i].Id) is { } job)
            {
                jobs.Add(job);
                last = i;
            }
        }

        var next = last >= 0 && last < found.Count - 1 ? FormatCursor(found[last].CreatedAt, found[last].Id) : null;
        return ValueTask.FromResult(new JobPage(jobs, next));
    }

    public ValueTask<IReadOnlyList<JobStateCount>> CountAsync(CancellationToken cancellationToken)
    {
        var counts = new Dictionary<(string Queue, JobState State), long>();
        foreach (var (_, _, record) in _status.Scan(new JobFilter()))
        {
            lock (record)
            {
                var key = (record.Queue, record.State);
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        }

        return ValueTask.FromResult<IReadOnlyList<JobStateCount>>(counts.Select(c => new JobStateCount(c.Key.Queue, c.Key.State, c.Value)).ToList());
    }

    public ValueTask<DateTimeOffset?> GetOldestQueuedAsync(string queue, CancellationToken cancellationToken)
    {
        DateTimeOffset? oldest = null;
        foreach (var (_, _, record) in _status.Scan(new JobFilter { Queue = queue, State = JobState.Queued }))
        {
            lock (record)
            {
                if (record.State == JobState.Queued && record.Envelope is { } envelope && (oldest is null || envelope.EnqueuedAt < oldest))
                {
                    oldest = envelope.EnqueuedAt;
                }
            }
        }

        return ValueTask.FromResult(oldest);
    }

    public async ValueTask<long> RequeueManyAsync(JobFilter filter, CancellationToken cancellationToken)
    {
        long requeued = 0;
        foreach (var (_, id, _) in _status.Scan(filter, static r => r.State == JobState.Dead))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (await RequeueAsync(id, cancellationToken).ConfigureAwait(false))
            {
                requeued++;
            }
        }

        return requeued;
    }

    public ValueTask<bool> DeleteAsync(string jobId, CancellationToken cancellationToken) => ValueTask.FromResult(_status.Delete(jobId));

    public ValueTask<long> DeleteManyAsync(JobFilter filter, CancellationToken cancellationToken)
    {
        long deleted = 0;
        foreach (var (_, id, _) in _status.Scan(filter, static r => r.IsFinished))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_status.Delete(id))
            {
                deleted++;
            }
        }

        return ValueTask.FromResult(deleted);
    }

    public ValueTask SetQueuePausedAsync(string queue, bool paused, CancellationToken cancellationToken)
    {
        lock (_paused)
        {
            if (paused)
            {
                _paused.Add(queue);
            }
            else
            {
                _paused.Remove(queue);
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<string>> GetPausedQueuesAsync(CancellationToken cancellationToken)
    {
        lock (_paused)
        {
            return ValueTask.FromResult<IReadOnlyList<string>>([.. _paused]);
        }
    }

    public ValueTask<IReadOnlyList<JobScheduleEntry>> GetSchedulesAsync(CancellationToken cancellationToken)
    {
        lock (_schedules)
        {
            return ValueTask.FromResult<IReadOnlyList<JobScheduleEntry>>([.. _schedules.Values]);
        }
    }

    public ValueTask<bool> SaveScheduleAsync(string name, string data, long expectedVersion, CancellationToken cancellationToken)
    {
        lock (_schedules)
        {
            var stored = _schedules.GetValueOrDefault(name)?.Version ?? 0;
            if (stored != expectedVersion)
            {
                return ValueTask.FromResult(false);
            }

            _schedules[name] = new JobScheduleEntry(name, expectedVersion + 1, data);
            return ValueTask.FromResult(true);
        }
    }

    public ValueTask<bool> DeleteScheduleAsync(string name, CancellationToken cancellationToken)
    {
        lock (_schedules)
        {
            return ValueTask.FromResult(_schedules.Remove(name));
        }
    }

    public ValueTask<bool> TryAcquireSlotAsync(string scope, int limit, string holder, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        lock (_slots)
        {
            if (!_slots.TryGetValue(scope, out var holders))
            {
                _slots[scope] = holders = new(StringComparer.Ordinal);
            }

            foreach (var (other, until) in holders)
            {
                if (until <= now)
                {
                    holders.Remove(other);
                }
            }

            if (!holders.ContainsKey(holder) && holders.Count >= limit)
            {
                return ValueTask.FromResult(false);
            }

            holders[holder] = now + lease;
            return ValueTask.FromResult(true);
        }
    }

    public ValueTask ReleaseSlotAsync(string scope, string holder, CancellationToken cancellationToken)
    {
        lock (_slots)
        {
            if (_slots.TryGetValue(scope, out var holders) && holders.Remove(holder) && holders.Count == 0)
            {
                _slots.Remove(scope);
            }
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<TimeSpan> TryTakePermitAsync(string key, int permits, TimeSpan window, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        lock (_permits)
        {
            if (!_permits.TryGetValue(key, out var taken))
            {
                _permits[key] = taken = new();
            }

            while (taken.TryPeek(out var oldest) && oldest + window <= now)
            {
                taken.Dequeue();
            }

            // A limit lowered since: the surplus leaves the window before anything more is admitted.
            if (taken.Count >= permits)
            {
                var wait = taken.ElementAt(taken.Count - permits) + window - now;
                return ValueTask.FromResult(wait > TimeSpan.Zero ? wait : TimeSpan.FromTicks(1));
            }

            taken.Enqueue(now);
            return ValueTask.FromResult(TimeSpan.Zero);
        }
    }

    public ValueTask DeferAsync(JobDelivery delivery, DateTimeOffset runAt, CancellationToken cancellationToken)
    {
        var deferred = false;
        _status.Update(delivery, record =>
        {
            if (record.State is JobState.Queued or JobState.Running)
            {
                record.State = JobState.Scheduled;
                record.ScheduledFor = runAt;
                deferred = true;
            }
        });
        if (deferred && _status.RecordOf(delivery) is { } record)
        {
            _scheduler.Schedule(delivery.Envelope, record, runAt);
        }

        return ValueTask.CompletedTask;
    }

    private static string FormatCursor(DateTimeOffset createdAt, string id) =>
        createdAt.UtcTicks.ToString(CultureInfo.InvariantCulture) + "~" + id;

    private static (DateTimeOffset CreatedAt, string Id) ParseCursor(string cursor)
    {
        var split = cursor.IndexOf('~', StringComparison.Ordinal);
        if (split <= 0 || split == cursor.Length - 1 ||
            !long.TryParse(cursor.AsSpan(0, split), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) ||
            ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            throw new ArgumentException($"The cursor '{cursor}' was not returned by a search of this backend; pass the NextCursor of the previous page, or null for the first.", nameof(cursor));
        }

        return (new DateTimeOffset(ticks, TimeSpan.Zero), cursor[(split + 1)..]);
    }
}
