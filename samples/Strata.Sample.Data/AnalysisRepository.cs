using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Strata.Sample.Data;

/// <summary>
/// The EF Core <see cref="IAnalysisRepository"/>. A singleton: every call takes a short-lived
/// <see cref="SampleDbContext"/> from a new scope, so it can be used from any lifetime and never shares a context.
/// </summary>
internal sealed partial class AnalysisRepository(IServiceScopeFactory scopes, TimeProvider time, ILogger<AnalysisRepository> logger) : IAnalysisRepository
{
    // SQLite: SQLITE_CONSTRAINT_UNIQUE and SQLITE_CONSTRAINT_PRIMARYKEY; PostgreSQL: unique_violation.
    private const int SqliteConstraintUnique = 2067;
    private const int SqliteConstraintPrimaryKey = 1555;

    public async Task<StoredAnalysis> SaveAsync(NewAnalysis analysis, CancellationToken cancellationToken = default)
    {
        Validate(analysis);
        var jobId = analysis.JobId;
        if (jobId is not null)
        {
            var existing = await FindByJobAsync(jobId, cancellationToken).ConfigureAwait(false);
            if (existing is not null)
            {
                Log.AlreadyStored(logger, jobId, existing.Id);
                return existing;
            }
        }

        // Whole microseconds: PostgreSQL keeps no finer time, so what this call returns equals what a later read returns.
        var now = time.GetUtcNow();
        now = now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond));
        var document = new Document
        {
            Id = Guid.NewGuid(),
            OwnerKeyId = analysis.OwnerKeyId,
            Text = analysis.Text,
            TokenCount = analysis.TokenCount,
            CreatedAt = now,
        };
        var row = new Analysis
        {
            Id = Guid.NewGuid(),
            DocumentId = document.Id,
            OwnerKeyId = analysis.OwnerKeyId,
            JobId = jobId,
            Summary = analysis.Summary,
            Keywords = [.. analysis.Keywords],
            Sentiment = analysis.Sentiment,
            SentimentScore = analysis.SentimentScore,
            TokenCount = analysis.TokenCount,
            CreatedAt = now,
        };

        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var db = scope.ServiceProvider.GetRequiredService<SampleDbContext>();
            db.Documents.Add(document);
            db.Analyses.Add(row);
            try
            {
                // Document and analysis in one transaction (on SQLite a BEGIN IMMEDIATE, so writers queue on the lock).
                var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await using (transaction.ConfigureAwait(false))
                {
                    await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                    await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            catch (DbUpdateException ex) when (jobId is not null && IsUniqueViolation(ex))
            {
                // Another call stored this job's analysis between our read and our insert: the unique index on
                // JobId rejected ours (and rolled back the document with it). Answer with the winner's row.
                var stored = await FindByJobAsync(jobId, cancellationToken).ConfigureAwait(false);
                if (stored is null)
                {
                    throw;
                }

                Log.StoredConcurrently(logger, jobId, stored.Id);
                return stored;
            }
        }

        return ToStored(row);
    }

    public async Task<StoredAnalysis?> FindByJobAsync(string jobId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(jobId);
        var scope = scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            var db = scope.ServiceProvider.GetRequiredService<SampleDbContext>();
            var row = await db.Analyses.AsNoTracking().FirstOrDefaultAsync(a => a.JobId == jobId, cancellationToken).ConfigureAwait(false);
            return row is null ? null : ToStored(row);
        }
    }

    internal static bool IsUniqueViolation(DbUpdateException exception) => exception.InnerException switch
    {
        SqliteException sqlite => sqlite.SqliteExtendedErrorCode is SqliteConstraintUnique or SqliteConstraintPrimaryKey,
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation,
        _ => false,
    };

    private static void Validate(NewAnalysis analysis)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        RequireText(analysis.OwnerKeyId, nameof(NewAnalysis.OwnerKeyId));
        RequireText(analysis.Text, nameof(NewAnalysis.Text));
        RequireText(analysis.Summary, nameof(NewAnalysis.Summary));
        RequireText(analysis.Sentiment, nameof(NewAnalysis.Sentiment));
        if (analysis.OwnerKeyId.Length > Document.OwnerKeyIdMaxLength)
        {
            throw new ArgumentException($"{nameof(NewAnalysis.OwnerKeyId)} is longer than {Document.OwnerKeyIdMaxLength} characters.", nameof(analysis));
        }

        if (analysis.Sentiment.Length > Analysis.SentimentMaxLength)
        {
            throw new ArgumentException($"{nameof(NewAnalysis.Sentiment)} is longer than {Analysis.SentimentMaxLength} characters.", nameof(analysis));
        }

        if (analysis.JobId is { } jobId && (string.IsNullOrWhiteSpace(jobId) || jobId.Length > Analysis.JobIdMaxLength))
        {
            throw new ArgumentException($"{nameof(NewAnalysis.JobId)} must be null or 1 to {Analysis.JobIdMaxLength} characters, not blank.", nameof(analysis));
        }

        if (analysis.Keywords is null || analysis.Keywords.Any(k => k is null))
        {
            throw new ArgumentException($"{nameof(NewAnalysis.Keywords)} must be a list without null entries.", nameof(analysis));
        }

        if (analysis.TokenCount < 0)
        {
            throw new ArgumentException($"{nameof(NewAnalysis.TokenCount)} must not be negative.", nameof(analysis));
        }

        if (!double.IsFinite(analysis.SentimentScore))
        {
            throw new ArgumentException($"{nameof(NewAnalysis.SentimentScore)} must be a finite number.", nameof(analysis));
        }
    }

    private static void RequireText(string? value, string name)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new ArgumentException($"{name} must not be null, empty or whitespace.", "analysis");
        }
    }

    private static StoredAnalysis ToStored(Analysis row) => new(
        row.Id,
        row.DocumentId,
        row.OwnerKeyId,
        row.JobId,
        row.Summary,
        row.Keywords.ToArray(),
        row.Sentiment,
        row.SentimentScore,
        row.TokenCount,
        row.CreatedAt);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Job {JobId} already has analysis {AnalysisId}: returned it and wrote nothing")]
        public static partial void AlreadyStored(ILogger logger, string jobId, Guid analysisId);

        [LoggerMessage(2, LogLevel.Information, "Job {JobId} was stored by a concurrent call as analysis {AnalysisId}: returned it and wrote nothing")]
        public static partial void StoredConcurrently(ILogger logger, string jobId, Guid analysisId);
    }
}
