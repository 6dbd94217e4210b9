using Microsoft.Data.Sqlite;

namespace Strata.Reliability.Tests.Infrastructure;

/// <summary>Reads the sample's SQLite file directly (read-only), as an operator would, to count what was stored.</summary>
public static class SampleDatabaseFile
{
    /// <summary>Every stored analysis: its id and the job id it was saved for (null for a sync analysis).</summary>
    public static async Task<List<(string AnalysisId, string? JobId)>> AnalysesAsync(SampleDeployment deployment)
    {
        await using var connection = await OpenAsync(deployment);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT Id, JobId FROM Analyses";
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, string?)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0).ToUpperInvariant(), reader.IsDBNull(1) ? null : reader.GetString(1)));
        }

        return rows;
    }

    /// <summary>How many documents are stored (one per analysis when no save was half-done).</summary>
    public static async Task<long> DocumentCountAsync(SampleDeployment deployment)
    {
        await using var connection = await OpenAsync(deployment);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM Documents";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private static async Task<SqliteConnection> OpenAsync(SampleDeployment deployment)
    {
        var builder = new SqliteConnectionStringBuilder(deployment.Environment["ConnectionStrings__Database"])
        {
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
            DefaultTimeout = 30,
        };
        var connection = new SqliteConnection(builder.ConnectionString);
        await connection.OpenAsync();
        return connection;
    }
}
