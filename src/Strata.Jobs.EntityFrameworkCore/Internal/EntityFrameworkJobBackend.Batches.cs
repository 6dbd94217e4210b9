using System.Text;
using Strata.Jobs.Backends;

namespace Strata.Jobs.EntityFrameworkCore.Internal;

/// <summary>
/// Enqueues (outside the caller's transaction, without an idempotency key) and successes go to the database in
/// batches: one command of numbered statements in one transaction, so concurrent callers share a round trip and a
/// commit. A batch fails or commits as a whole; each caller learns which.
/// </summary>
internal sealed partial class EntityFrameworkJobBackend<TContext>
{
    /// <summary>Statements in one batch at most (parameters stay far below PostgreSQL's and SQLite's limits).</summary>
    public const int MaxBatch = 100;

    private static readonly string[] InsertParameters = ["@id", "@queue", "@type", "@payload", "@state", "@max", "@timeout", "@owner", "@created", "@enqueued", "@runAt", "@sequence", "@key", "@limitKey", "@parent", "@traceState"];
    private static readonly string[] SucceedParameters = ["@id", "@token", "@result"];

    private readonly string?[] _insertTexts = new string?[MaxBatch + 1];
    private readonly string?[] _succeedTexts = new string?[MaxBatch + 1];
    private StatementBatcher<PendingInsert>? _inserts;
    private StatementBatcher<PendingSuccess>? _successes;

    private StatementBatcher<PendingInsert> Inserts => _inserts ??= new(FlushInsertsAsync, MaxBatch);

    private StatementBatcher<PendingSuccess> Successes => _successes ??= new(FlushSuccessesAsync, MaxBatch);

    private async Task FlushInsertsAsync(IReadOnlyList<PendingInsert> rows)
    {
        var session = await OpenAsync(CancellationToken.None).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var sql = Sql(session);
            await session.BeginAsync(CancellationToken.None).ConfigureAwait(false);
            using (var command = session.Command(_insertTexts[rows.Count] ??= Numbered(sql.Insert, InsertParameters, rows.Count)))
            {
                command.With("@false", false);
                for (var i = 0; i < rows.Count; i++)
                {
                    var (envelope, state, due, sequence) = rows[i];
                    var n = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    command.With("@id" + n, envelope.Id).With("@queue" + n, envelope.Queue).With("@type" + n, envelope.JobType).With("@payload" + n, envelope.Payload)
                        .With("@state" + n, state).With("@max" + n, envelope.MaxAttempts)
                        .With("@timeout" + n, envelope.Timeout is { } timeout ? (long)timeout.TotalMilliseconds : null).With("@owner" + n, envelope.Owner)
                        .With("@created" + n, Ms(envelope.CreatedAt)).With("@enqueued" + n, Ms(envelope.EnqueuedAt)).With("@runAt" + n, due).With("@sequence" + n, sequence)
                        .With("@key" + n, envelope.IdempotencyKey).With("@limitKey" + n, envelope.LimitKey).With("@parent" + n, envelope.TraceParent).With("@traceState" + n, envelope.TraceState);
                }

                await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
            }

            await session.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task FlushSuccessesAsync(IReadOnlyList<PendingSuccess> successes)
    {
        var now = Ms(_time.GetUtcNow());
        var session = await OpenAsync(CancellationToken.None).ConfigureAwait(false);
        await using (session.ConfigureAwait(false))
        {
            var sql = Sql(session);
            await session.BeginAsync(CancellationToken.None).ConfigureAwait(false);
            using (var command = session.Command(_succeedTexts[successes.Count] ??= Numbered(sql.Succeed, SucceedParameters, successes.Count)))
            {
                command.With("@now", now).With("@expires", now + RetentionMs).With("@false", false);
                for (var i = 0; i < successes.Count; i++)
                {
                    var n = i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    var (delivery, result) = successes[i];
                    command.With("@id" + n, delivery.Envelope.Id).With("@token" + n, delivery.Receipt).With("@result" + n, result);
                }

                await command.ExecuteNonQueryAsync(CancellationToken.None).ConfigureAwait(false);
            }

            await session.CommitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        foreach (var (delivery, _) in successes)
        {
            _inFlight.TryRemove(delivery.Envelope.Id, out _);
        }
    }

    /// <summary><paramref name="count"/> copies of <paramref name="statement"/>, the i-th with <paramref name="parameters"/> suffixed by i.</summary>
    private static string Numbered(string statement, string[] parameters, int count)
    {
        var text = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            var copy = new StringBuilder(statement).Append(' ');
            var n = i.ToString(System.Globalization.CultureInfo.InvariantCulture);

            // Longest names first, each followed by a character that cannot continue a name (so @runAt never touches @r...).
            foreach (var name in parameters.OrderByDescending(p => p.Length))
            {
                foreach (var end in (string[])[",", ")", " ", ";"])
                {
                    copy.Replace(name + end, name + n + end);
                }
            }

            text.Append(copy).Append(";\n");
        }

        return text.ToString();
    }

    private readonly record struct PendingInsert(JobEnvelope Envelope, int State, long Due, long Sequence);

    private readonly record struct PendingSuccess(JobDelivery Delivery, string? Result);
}
