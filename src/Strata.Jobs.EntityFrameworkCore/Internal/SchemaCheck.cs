using System.Data.Common;

namespace Strata.Jobs.EntityFrameworkCore.Internal;

/// <summary>
/// Checks once per process, on the first session, that the database has every job table and column this version
/// maps, and turns the provider's "no such table/column" into an error that names the fix: an app upgraded without
/// adding the migration would otherwise fail on its first enqueue with the provider's bare message. A failure is
/// checked again on the next session (the migration may be applied while the host runs).
/// </summary>
internal sealed class SchemaCheck(string contextName)
{
    private volatile bool _passed;

    public bool Passed => _passed;

    public async ValueTask EnsureAsync(DbSession session, JobSql sql, CancellationToken cancellationToken)
    {
        foreach (var probe in sql.SchemaProbes)
        {
            using var command = session.Command(probe);
            try
            {
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DbException ex) when (IsMissingSchema(ex))
            {
                throw new JobStoreSchemaException(
                    $"The database behind {contextName} lacks tables or columns that this version of Strata.Jobs.EntityFrameworkCore uses " +
                    $"({ex.Message.Trim()}). Add a migration (dotnet ef migrations add StrataJobsUpgrade --context {contextName}; the model already " +
                    "maps them through ApplyStrataJobs()) and apply it (dotnet ef database update, or Database.MigrateAsync() before the host " +
                    "starts). Until then enqueues answer 503 and workers wait.",
                    ex);
            }
        }

        _passed = true;
    }

    /// <summary>PostgreSQL's undefined table, column or schema; SQLite's "no such table/column" (it has no SQLSTATE).</summary>
    private static bool IsMissingSchema(DbException ex) =>
        ex.SqlState is "42P01" or "42703" or "3F000" ||
        ex.Message.Contains("no such table", StringComparison.OrdinalIgnoreCase) ||
        ex.Message.Contains("no such column", StringComparison.OrdinalIgnoreCase);
}
