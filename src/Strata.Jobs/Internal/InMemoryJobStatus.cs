using System.Collections.Concurrent;
using Strata.Jobs.Backends;

namespace Strata.Jobs.Internal;

/// <summary>
/// The in-memory backend's status table: the records (<see cref="InMemoryRecordTable"/>) that job ids name by
/// slot, the idempotency keys, the state changes of a job's attempts, and the expiry of finished jobs' status.
/// </summary>
/// <remarks>
/// A job id carries the number of its record's slot, so reading, starting and finishing a job index an array
/// rather than hash a string, and a record whose status has expired is reused for a later job: at a steady rate
/// the status of a job allocates nothing and leaves nothing for the GC to promote. Finished records are listed in
/// the order they finish (their expiry order), so expiring them visits only those that are due, never the whole
/// table.
/// </remarks>
internal sealed class InMemoryJobStatus(TimeProvider time, JobsOptions options)
{
    private readonly InMemoryRecordTable _records = new();
    private readonly InMemoryExpiryList _expiry = new();
    private readonly ConcurrentDictionary<string, (string JobId, DateTimeOffset ExpiresAt)> _idempotency = new(StringComparer.Ordinal);

    /// <summary>Records in use (reserved or holding a job whose status has not been expired yet).</summary>
    public int InUse => _records.InUse;

    /// <summary>Reserves a record for the job and names it: <c>{queue}.{slot: 8 hex digits}{96 random bits: 24 hex digits}</c>.</summary>
    public string Reserve(string queue)
    {
        var record = _records.Rent();
        var (high, low) = JobIds.RandomToken();
        lock (record)
        {
            record.Reserve(queue, high, low);
        }

        return JobIds.Format(queue, record.Slot, high, low);
    }

    /// <summary>The record an id from <see cref="Reserve"/> names (checked under the record's lock by the caller).</summary>
    public InMemoryJobRecord Reserved(string jobId) =>
        (JobIds.TryParseSlot(jobId, out var slot) ? _records.Get(slot) : null)
            ?? throw new InvalidOperationException($"Job id '{jobId}' was not created by this backend.");

    /// <summary>
    /// Claims the envelope's idempotency key for its job; returns the id of the live job that holds it already (and
    /// gives back <paramref name="record"/>), else null with <paramref name="idempotencyKey"/> set when a key was claimed.
    /// </summary>
    public string? ClaimIdempotencyKey(JobEnvelope envelope, InMemoryJobRecord record, out string? idempotencyKey)
    {
        idempotencyKey = null;
        if (envelope.IdempotencyKey is not { } key)
        {
            return null;
        }

        idempotencyKey = envelope.Queue + "\n" + key;
        var now = time.GetUtcNow();
        while (true)
        {
            if (_idempotency.TryGetValue(idempotencyKey, out var existing))
            {
                if (existing.ExpiresAt > now)
                {
                    Forget(record, envelope.Id, idempotencyKey: null);
                    return existing.JobId;
                }

                _idempotency.TryRemove(new(idempotencyKey, existing));
                continue;
            }

            if (_idempotency.TryAdd(idempotencyKey, (envelope.Id, now + options.IdempotencyKeyLifetime)))
            {
                return null;
            }
        }
    }

    public InMemoryJobRecord? RecordOf(JobDelivery delivery) => delivery.BackendState as InMemoryJobRecord ?? Find(delivery.Envelope.Id);

    /// <summary>Applies <paramref name="update"/> to the delivery's record, unless the record moved on to another attempt or job.</summary>
    public void Update(JobDelivery delivery, Action<InMemoryJobRecord> update)
    {
        if (RecordOf(delivery) is { } record)
        {
            lock (record)
            {
                if (ReferenceEquals(record.Envelope, delivery.Envelope))
                {
                    update(record);
                }
            }
        }
    }

    public void Finish(InMemoryJobRecord record, JobState state) => Finish(record, state, time.GetUtcNow());

    /// <summary>Marks the record finished (caller holds its lock) and lists it for expiry.</summary>
    public void Finish(InMemoryJobRecord record, JobState state, DateTimeOffset now)
    {
        var expiresAt = now + options.RetentionPeriod;
        record.State = state;
        record.CompletedAt = now;
        record.ExpiresAt = expiresAt;
        _expiry.Add(record, record.Generation, expiresAt);
    }

    /// <summary>Gives back the record of a job that was not enqueued after all.</summary>
    public void Forget(InMemoryJobRecord record, string jobId, string? idempotencyKey)
    {
        bool release;
        lock (record)
        {
            release = record.Is(jobId, reserved: true) || record.Is(jobId);
            if (release)
            {
                record.Clear();
            }
        }

        if (release)
        {
            _records.Return(record);
        }

        if (idempotencyKey is not null)
        {
            _idempotency.TryRemove(idempotencyKey, out _);
        }
    }

    /// <summary>The record named by <paramref name="jobId"/> while its job's status is live (not expired), else null.</summary>
    public InMemoryJobRecord? Find(string jobId, bool reserved = false)
    {
        if (!JobIds.TryParseSlot(jobId, out var slot) || _records.Get(slot) is not { } record)
        {
            return null;
        }

        lock (record)
        {
            if (!record.Is(jobId, reserved))
            {
                return null;
            }

            return record.ExpiresAt is not { } expires || expires > time.GetUtcNow() ? record : null;
        }
    }

    /// <summary>Marks the delivery's job running, unless it was cancelled, finished or its record reused; false then.</summary>
    public bool TryStart(JobDelivery delivery)
    {
        if (RecordOf(delivery) is not { } record)
        {
            return false;
        }

        var now = time.GetUtcNow();
        lock (record)
        {
            // A record reused for a later job no longer holds this delivery's envelope.
            if (!ReferenceEquals(record.Envelope, delivery.Envelope) || record.State is JobState.Cancelled or JobState.Succeeded or JobState.Dead)
            {
                return false;
            }

            record.State = JobState.Running;
            record.Attempt = delivery.Envelope.Attempt;
            record.StartedAt = now;
            record.ScheduledFor = null;
        }

        return true;
    }

    public void Succeed(JobDelivery delivery, string? resultJson)
    {
        if (RecordOf(delivery) is { } record)
        {
            var now = time.GetUtcNow();
            lock (record)
            {
                if (ReferenceEquals(record.Envelope, delivery.Envelope))
                {
                    record.ResultJson = resultJson;
                    record.Error = null;
                    record.Envelope = null;
                    Finish(record, JobState.Succeeded, now);
                }
            }
        }
    }

    /// <summary>Expires the status of jobs whose retention period is over; their records become free for reuse.</summary>
    public void Sweep(DateTimeOffset now)
    {
        var due = new List<InMemoryExpiryList.Entry>();
        while (_expiry.TakeDue(now, due, max: 4096))
        {
            foreach (var entry in due)
            {
                var record = entry.Record;
                bool release;
                lock (record)
                {
                    // Skipped when the record was reused, or its job requeued (it is listed again when it finishes again).
                    release = record.Generation == entry.Generation && record.ExpiresAt is { } expires && expires <= now;
                    if (release)
                    {
                        record.Clear();
                    }
                }

                if (release)
                {
                    _records.Return(record);
                }
            }

            due.Clear();
        }

        foreach (var entry in _idempotency)
        {
            if (entry.Value.ExpiresAt <= now)
            {
                _idempotency.TryRemove(entry);
            }
        }
    }

    /// <summary>The live jobs matching <paramref name="filter"/> (and <paramref name="where"/>, read under the record's lock), by a visit of every record.</summary>
    public List<(DateTimeOffset CreatedAt, string Id, InMemoryJobRecord Record)> Scan(JobFilter filter, Func<InMemoryJobRecord, bool>? where = null)
    {
        var now = time.GetUtcNow();
        var found = new List<(DateTimeOffset, string, InMemoryJobRecord)>();
        var count = _records.Count;
        for (var slot = 0; slot < count; slot++)
        {
            if (_records.Get(slot) is not { } record)
            {
                continue;
            }

            lock (record)
            {
                if (record.CurrentId() is { } id && (record.ExpiresAt is not { } expires || expires > now) &&
                    record.Matches(filter) && (where is null || where(record)))
                {
                    found.Add((record.CreatedAt, id, record));
                }
            }
        }

        return found;
    }

    /// <summary>Forgets a finished job now, freeing its record and its idempotency key; false when it is unknown or not finished.</summary>
    public bool Delete(string jobId)
    {
        if (Find(jobId) is not { } record)
        {
            return false;
        }

        string? idempotencyKey;
        lock (record)
        {
            if (!record.Is(jobId) || !record.IsFinished)
            {
                return false;
            }

            idempotencyKey = record.IdempotencyKey is { } key ? record.Queue + "\n" + key : null;
            record.Clear();
        }

        _records.Return(record);
        if (idempotencyKey is not null && _idempotency.TryGetValue(idempotencyKey, out var held) && string.Equals(held.JobId, jobId, StringComparison.Ordinal))
        {
            _idempotency.TryRemove(new(idempotencyKey, held));
        }

        return true;
    }
}
