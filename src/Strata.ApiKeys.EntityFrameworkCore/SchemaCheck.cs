using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace Strata.ApiKeys.EntityFrameworkCore;

/// <summary>
/// Checks once per store, on its first call, that the database has the API-key table and every column this version
/// maps, and turns the provider's "no such table/column" into an error that names the table, the context and the
/// migration to add: an app that forgot the migration would otherwise answer its first key with a 503 and the
/// provider's bare message. A failure is checked again on the next call (the migration may be applied while the host
/// runs). The probe reads no row and sends no parameter, so neither it nor its error carries key material.
/// </summary>
internal sealed class SchemaCheck<TContext>
    where TContext : DbContext
{
    private volatile bool _passed;

    public bool Passed => _passed;

    public async Task EnsureAsync(TContext db, CancellationToken cancellationToken)
    {
        try
        {
            // SELECT every mapped column ... WHERE 0: the database resolves each name without reading a row.
            await db.Set<ApiKeyEntity>().AsNoTracking().Where(e => false).ToListAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DbException ex) when (IsMissingSchema(ex))
        {
            var contextName = typeof(TContext).Name;
            throw new ApiKeyStoreSchemaException(
                $"The database behind {contextName} has no API-key table {TableName(db)}, or lacks columns of it that this version of " +
                $"Strata.ApiKeys.EntityFrameworkCore maps ({ex.Message.Trim()}). Add a migration (dotnet ef migrations add ApiKeys " +
                $"--context {contextName}; the model already maps the table through ApplyStrataApiKeys()) and apply it (dotnet ef " +
                "database update, or Database.MigrateAsync() before the host starts). Until then requests with an API key answer 503.",
                ex);
        }

        _passed = true;
    }

    private static string TableName(TContext db)
    {
        var entity = db.Model.FindEntityType(typeof(ApiKeyEntity));
        var table = entity?.GetTableName() ?? ApiKeysModelBuilderExtensions.DefaultTableName;
        return entity?.GetSchema() is { } schema ? $"\"{schema}.{table}\"" : $"\"{table}\"";
    }

    /// <summary>
    /// An undefined table, column or schema: PostgreSQL's SQLSTATE 42P01, 42703, 3F000; MySQL's 42S02, 42S22; SQL
    /// Server's "Invalid object/column name" (its exception has no SQLSTATE); SQLite's "no such table/column".
    /// </summary>
    private static bool IsMissingSchema(DbException ex) =>
        ex.SqlState is "42P01" or "42703" or "3F000" or "42S02" or "42S22" ||
        ex.Message.Contains("no such table", StringComparison.OrdinalIgnoreCase) ||
        ex.Message.Contains("no such column", StringComparison.OrdinalIgnoreCase) ||
        ex.Message.Contains("Invalid object name", StringComparison.OrdinalIgnoreCase) ||
        ex.Message.Contains("Invalid column name", StringComparison.OrdinalIgnoreCase);
}
