using System.Data.Common;
using Strata.Jobs.Backends;

namespace Strata.Jobs.EntityFrameworkCore.Internal;

/// <summary>Handing jobs out and settling them: every statement names the delivery's lease, so a worker whose lease ran out (and whose job went to another) changes nothing.</summary>
internal sealed partial class EntityFrameworkJobBackend<TContext>
{
    // The start outcome decided at receipt, kept in the delivery's BackendState (boxed once).
    private static readonly object PreparedRun = StartStatus.Run;
    private static readonly object PreparedTooManyDeliveries = StartStatus.TooManyDeliveries;

    public async ValueTask<IReadOnlyList<JobDelivery>> ReceiveAsync(string queue, int max, CancellationToken cancellationToken)
    {
        var token = Guid.NewGuid().ToString("N");
        var now = _time.GetUtcNow();
        var received = new List<(long RunAt, long Sequence, JobDelivery Delivery)>();
        var session = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            using var command = session.Command(Sql(session).Receive)
                .With("@queue", queue).With("@token", token).With("@until", Ms(now + _options.LeaseTime)).With("@now", Ms(now))
                .With("@max", Math.Min(max, _options.ReceiveBatchSize));
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var envelope = ReadEnvelope(reader, queue, limitKeyOrdinal: 15);
                    var count = reader.GetInt32(12);
                    received.Add((reader.GetInt64(13), reader.GetInt64(14), new JobDelivery(envelope, token, count)
                    {
                        BackendState = count > _options.MaxDeliveries ? PreparedTooManyDeliveries : PreparedRun,
                    }));
                }
            }
        }

        // RETURNING gives the rows in no promised order: hand them to the worker oldest first.
        received.Sort(static (a, b) => a.RunAt != b.RunAt ? a.RunAt.CompareTo(b.RunAt) : a.Sequence.CompareTo(b.Sequence));
        var deliveries = received.ConvertAll(static r => r.Delivery);
        foreach (var delivery in deliveries)
        {
            _inFlight[delivery.Envelope.Id] = token;
        }

        return deliveries;
    }

    public ValueTask<StartStatus> StartAsync(JobDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        // Marked running with its batch at receipt; a job cancelled since then is stopped through its token.
        return ValueTask.FromResult(delivery.BackendState is StartStatus prepared ? prepared : StartStatus.Run);
    }

    public async ValueTask ReportProgressAsync(JobDelivery delivery, int percent, string? message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var session = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            using var command = session.Command(Sql(session).Progress).Held(delivery).With("@progress", percent).With("@message", message);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public ValueTask SucceedAsync(JobDelivery delivery, string? resultJson, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);

        // Batched with the other workers' successes: one UPDATE command and one commit for all of them.
        return new(Successes.Add(new PendingSuccess(delivery, resultJson)));
    }

    public ValueTask RetryAsync(JobDelivery delivery, DateTimeOffset retryAt, string error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        return SettleAsync(
            delivery,
            static sql => sql.Retry,
            command => command.With("@next", delivery.Envelope.Attempt + 1).With("@runAt", Ms(retryAt)).With("@error", error),
            cancellationToken);
    }

    public ValueTask DeadLetterAsync(JobDelivery delivery, string error, CancellationToken cancellationToken) =>
        SettleAsync(delivery, static sql => sql.DeadLetter, command => command.With("@error", error), cancellationToken);

    public ValueTask CancelledAsync(JobDelivery delivery, CancellationToken cancellationToken) =>
        SettleAsync(delivery, static sql => sql.Cancelled, extra: null, cancellationToken);

    public async ValueTask ReleaseAsync(JobDelivery delivery, CancellationToken cancellationToken)
    {
        await SettleAsync(delivery, static sql => sql.Release, extra: null, cancellationToken).ConfigureAwait(false);
        _wake.Set();
    }

    /// <summary>Runs one settle statement for <paramref name="delivery"/>, then forgets its lease here.</summary>
    private async ValueTask SettleAsync(JobDelivery delivery, Func<JobSql, string> statement, Action<DbCommand>? extra, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var now = Ms(_time.GetUtcNow());
        var session = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            using var command = session.Command(statement(Sql(session))).Held(delivery)
                .With("@now", now).With("@expires", now + RetentionMs).With("@false", false);
            extra?.Invoke(command);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        _inFlight.TryRemove(delivery.Envelope.Id, out _);
    }
}
