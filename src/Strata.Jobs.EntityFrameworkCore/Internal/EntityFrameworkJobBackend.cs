using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Strata.Jobs.Backends;
using Strata.Json;
using Strata.Threading;

namespace Strata.Jobs.EntityFrameworkCore.Internal;

/// <summary>
/// Jobs in the application's own database, through <typeparamref name="TContext"/>: one row per job holding its
/// envelope, status and lease. Workers take leases with one UPDATE per batch (<c>FOR UPDATE SKIP LOCKED</c> on
/// PostgreSQL), renew them while they run, and any node hands out again the jobs of a worker whose lease ran out.
/// </summary>
internal sealed partial class EntityFrameworkJobBackend<TContext> : IJobBackend, IEntityFrameworkJobBackend
    where TContext : DbContext
{
    private readonly IServiceScopeFactory _scopes;
    private readonly IRunningJobs _running;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly JobsOptions _jobs;
    private readonly EntityFrameworkJobsOptions _options;
    private readonly AsyncSignal _wake = new();
    private readonly ConcurrentDictionary<string, long> _depth = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _inFlight = new(StringComparer.Ordinal);
    private JobSql? _sql;
    private readonly SchemaCheck _schema = new(typeof(TContext).Name);
    private long _sequence;
    private string _description = $"database ({typeof(TContext).Name})";

    public EntityFrameworkJobBackend(
        IServiceScopeFactory scopes,
        IRunningJobs running,
        TimeProvider time,
        ILogger<EntityFrameworkJobBackend<TContext>> logger,
        IOptions<JobsOptions> jobs,
        IOptions<EntityFrameworkJobsOptions> options)
    {
        _scopes = scopes;
        _running = running;
        _time = time;
        _logger = logger;
        _jobs = jobs.Value;
        _options = options.Value;
        _sequence = time.GetUtcNow().UtcTicks;
    }

    public string Name => "database";

    public string Description => _description;

    public bool JobsLiveInProcess => false;

    public string CreateJobId(string queue) => JobIds.Create(queue);

    public async ValueTask<EnqueueResult> EnqueueAsync(JobEnvelope envelope, DateTimeOffset? runAt, bool waitForRoom, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(envelope);
        var enlistment = TransactionalEnqueue.Current;
        if (enlistment is null && envelope.IdempotencyKey is null)
        {
            // The common case goes out with whatever other enqueues are waiting: one INSERT command and one commit for all.
            var at = Ms(_time.GetUtcNow());
            var state = (int)(runAt is null ? JobState.Queued : JobState.Scheduled);
            await Inserts.Add(new PendingInsert(envelope, state, runAt is { } when && Ms(when) > at ? Ms(when) : at, Interlocked.Increment(ref _sequence)))
                .ConfigureAwait(false);
            if (runAt is null)
            {
                _wake.Set();
            }

            return new(EnqueueStatus.Enqueued, envelope.Id);
        }

        var session = enlistment is not null
            ? await DbSession.JoinAsync(enlistment.Context, cancellationToken).ConfigureAwait(false)
            : await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var sql = Sql(session);
            var now = Ms(_time.GetUtcNow());
            if (envelope.IdempotencyKey is { } key)
            {
                await session.BeginAsync(cancellationToken).ConfigureAwait(false);
                using (var claim = session.Command(sql.ClaimKey))
                {
                    claim.With("@queue", envelope.Queue).With("@key", key).With("@id", envelope.Id)
                        .With("@expires", now + (long)_jobs.IdempotencyKeyLifetime.TotalMilliseconds).With("@now", now);
                    await claim.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }

                using var holder = session.Command(sql.KeyHolder).With("@queue", envelope.Queue).With("@key", key);
                var holderId = (string?)await holder.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                if (!string.Equals(holderId, envelope.Id, StringComparison.Ordinal))
                {
                    await session.CommitAsync(cancellationToken).ConfigureAwait(false);
                    MarkUsed(enlistment);
                    return new(EnqueueStatus.Duplicate, holderId);
                }
            }

            var due = runAt is { } at && Ms(at) > now ? Ms(at) : now;
            using (var insert = session.Command(sql.Insert))
            {
                insert.With("@id", envelope.Id).With("@queue", envelope.Queue).With("@type", envelope.JobType).With("@payload", envelope.Payload)
                    .With("@state", (int)(runAt is null ? JobState.Queued : JobState.Scheduled)).With("@max", envelope.MaxAttempts)
                    .With("@timeout", envelope.Timeout is { } timeout ? (long)timeout.TotalMilliseconds : null).With("@owner", envelope.Owner)
                    .With("@created", Ms(envelope.CreatedAt)).With("@enqueued", Ms(envelope.EnqueuedAt)).With("@runAt", due).With("@sequence", Interlocked.Increment(ref _sequence))
                    .With("@key", envelope.IdempotencyKey).With("@limitKey", envelope.LimitKey).With("@parent", envelope.TraceParent).With("@traceState", envelope.TraceState).With("@false", false);
                await insert.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await session.CommitAsync(cancellationToken).ConfigureAwait(false);
            MarkUsed(enlistment);
        }

        if (runAt is null && enlistment is null)
        {
            // Committed: this host's idle workers look at once. A job enqueued in the caller's transaction is found by
            // the next poll after that transaction commits (it may still roll back).
            _wake.Set();
        }

        return new(EnqueueStatus.Enqueued, envelope.Id);

        static void MarkUsed(TransactionalEnqueue? enlistment)
        {
            if (enlistment is not null)
            {
                enlistment.Used = true;
            }
        }
    }

    public async ValueTask<JobInfo?> GetAsync(string jobId, CancellationToken cancellationToken)
    {
        var session = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            using var command = session.Command(Sql(session).Get).With("@id", jobId).With("@now", Ms(_time.GetUtcNow()));
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                return await reader.ReadAsync(cancellationToken).ConfigureAwait(false) ? ReadInfo(reader) : null;
            }
        }
    }

    public async ValueTask<JobEnvelope?> GetEnvelopeAsync(string jobId, CancellationToken cancellationToken)
    {
        var session = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            using var command = session.Command(Sql(session).GetEnvelope).With("@id", jobId).With("@now", Ms(_time.GetUtcNow()));
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    return null;
                }

                var envelope = ReadEnvelope(reader, reader.GetString(13), limitKeyOrdinal: 12);
                return envelope with { Attempt = Math.Max(1, envelope.Attempt) };
            }
        }
    }

    public async ValueTask<bool> CancelAsync(string jobId, CancellationToken cancellationToken)
    {
        var session = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var sql = Sql(session);
            var now = Ms(_time.GetUtcNow());
            using (var waiting = session.Command(sql.CancelWaiting).With("@id", jobId).With("@now", now).With("@expires", now + RetentionMs))
            {
                if (await waiting.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) > 0)
                {
                    return true;
                }
            }

            using var running = session.Command(sql.CancelRunning).With("@id", jobId).With("@true", true);
            if (await running.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                return false;
            }
        }

        // Running: here the token fires now; on another node at its next heartbeat.
        _running.TryCancel(jobId);
        return true;
    }

    public async ValueTask<bool> RequeueAsync(string jobId, CancellationToken cancellationToken)
    {
        var session = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            using var command = session.Command(Sql(session).Requeue).With("@id", jobId).With("@now", Ms(_time.GetUtcNow())).With("@false", false);
            if (await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
            {
                return false;
            }
        }

        _wake.Set();
        return true;
    }

    public async ValueTask WaitForWorkAsync(IReadOnlyList<string> queues, CancellationToken cancellationToken)
    {
        using var poll = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        poll.CancelAfter(_options.PollInterval);
        try
        {
            await _wake.WaitAsync(poll.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The poll interval ended: look again.
        }
    }

    public long GetDepth(string queue) => _depth.TryGetValue(queue, out var depth) ? depth : 0;

    public long CountWaitingJobs() => 0;

    public async ValueTask<HealthCheckResult> CheckHealthAsync(CancellationToken cancellationToken)
    {
        var session = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var started = _time.GetTimestamp();
            using var command = session.Command(Sql(session).Ping);
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return HealthCheckResult.Healthy($"The job tables answer ({_time.GetElapsedTime(started).TotalMilliseconds:0.#} ms).");
        }
    }

    private long RetentionMs => (long)_jobs.RetentionPeriod.TotalMilliseconds;

    private static long Ms(DateTimeOffset time) => time.ToUnixTimeMilliseconds();

    private static DateTimeOffset Time(long ms) => DateTimeOffset.FromUnixTimeMilliseconds(ms);

    private async ValueTask<DbSession> OpenAsync(CancellationToken cancellationToken)
    {
        var session = await DbSession.OpenAsync<TContext>(_scopes, cancellationToken).ConfigureAwait(false);
        if (!_schema.Passed)
        {
            try
            {
                await _schema.EnsureAsync(session, Sql(session), cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await session.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }

        return session;
    }

    private JobSql Sql(DbSession session)
    {
        if (_sql is { } sql)
        {
            return sql;
        }

        sql = JobSql.For(session.Context);
        _description = $"database ({(sql.IsPostgreSql ? "PostgreSQL" : "SQLite")} through {typeof(TContext).Name})";
        return _sql = sql;
    }

    /// <summary>
    /// An envelope from a row whose first twelve columns are id, type, payload, attempt, max attempts, timeout, owner,
    /// created, enqueued, idempotency key, trace parent and trace state (Receive's RETURNING and GetEnvelope).
    /// </summary>
    private static JobEnvelope ReadEnvelope(DbDataReader reader, string queue, int limitKeyOrdinal) => new()
    {
        Id = reader.GetString(0),
        JobType = reader.GetString(1),
        Queue = queue,
        Payload = reader.GetString(2),
        Attempt = reader.GetInt32(3),
        MaxAttempts = reader.GetInt32(4),
        Timeout = reader.NullableInt64(5) is { } timeout ? TimeSpan.FromMilliseconds(timeout) : null,
        Owner = reader.NullableString(6),
        CreatedAt = Time(reader.GetInt64(7)),
        EnqueuedAt = Time(reader.GetInt64(8)),
        IdempotencyKey = reader.NullableString(9),
        TraceParent = reader.NullableString(10),
        TraceState = reader.NullableString(11),
        LimitKey = reader.NullableString(limitKeyOrdinal),
    };

    private static JobInfo ReadInfo(DbDataReader reader)
    {
        var state = (JobState)reader.GetInt32(3);
        var runAt = reader.GetInt64(8);
        return new JobInfo
        {
            Id = reader.GetString(0),
            JobType = reader.GetString(1),
            Queue = reader.GetString(2),
            State = state,
            Attempt = reader.GetInt32(4),
            MaxAttempts = reader.GetInt32(5),
            Redeliveries = Math.Max(0, reader.GetInt32(6) - 1),
            CreatedAt = Time(reader.GetInt64(7)),
            ScheduledFor = state is JobState.Scheduled or JobState.Failed ? Time(runAt) : null,
            StartedAt = reader.NullableInt64(9) is { } started ? Time(started) : null,
            CompletedAt = reader.NullableInt64(10) is { } completed ? Time(completed) : null,
            Progress = reader.NullableInt32(11),
            ProgressMessage = reader.NullableString(12),
            Result = reader.NullableString(13) is { } result ? JsonText.ToElement(result) : null,
            Error = reader.NullableString(14),
            Owner = reader.NullableString(15),
        };
    }
}
