using Microsoft.Data.Sqlite;

namespace Strata.ApiKeys.EntityFrameworkCore.Tests;

/// <summary>An empty SQLite file path in its own temporary folder, deleted on dispose (nothing created in it yet).</summary>
public sealed class TempSqliteFile : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "strata-apikeys-" + Guid.NewGuid().ToString("N"));

    public TempSqliteFile()
    {
        Directory.CreateDirectory(_directory);
        FilePath = Path.Combine(_directory, "app.db");
    }

    public string FilePath { get; }

    public string ConnectionString => new SqliteConnectionStringBuilder { DataSource = FilePath, Pooling = false }.ToString();

    /// <summary>Runs one SQL query and returns its rows, each as an array of column values.</summary>
    public List<object?[]> Query(string sql)
    {
        using var connection = new SqliteConnection(ConnectionString);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<object?[]>();
        while (reader.Read())
        {
            var row = new object?[reader.FieldCount];
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open; the temp folder is cleaned by the OS.
        }
    }
}
