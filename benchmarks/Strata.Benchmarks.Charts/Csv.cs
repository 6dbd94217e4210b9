using System.Globalization;

namespace Strata.Benchmarks.Charts;

/// <summary>One BenchmarkDotNet CSV report (<c>*-report.csv</c>): a header row and one row per benchmark case.</summary>
internal sealed class CsvReport
{
    private CsvReport(string path, string[] header, List<string[]> rows)
    {
        Path = path;
        Header = header;
        Rows = rows;
    }

    public string Path { get; }

    public string[] Header { get; }

    public List<string[]> Rows { get; }

    /// <summary>The class name: the report's file name without its namespace and <c>-report.csv</c>.</summary>
    public string ClassName
    {
        get
        {
            var name = System.IO.Path.GetFileName(Path);
            name = name[..name.IndexOf("-report", StringComparison.Ordinal)];
            return name[(name.LastIndexOf('.') + 1)..];
        }
    }

    public static CsvReport Read(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToList();
        if (lines.Count == 0)
        {
            throw new InvalidDataException($"'{path}' is empty.");
        }

        var separator = lines[0].Contains(';', StringComparison.Ordinal) && !lines[0].Contains(',', StringComparison.Ordinal) ? ';' : ',';
        return new CsvReport(path, Split(lines[0], separator), [.. lines.Skip(1).Select(l => Split(l, separator))]);
    }

    public bool Has(string column) => Array.IndexOf(Header, column) >= 0;

    public string Text(string[] row, string column)
    {
        var at = Array.IndexOf(Header, column);
        return at < 0 ? throw new InvalidDataException($"'{Path}' has no column '{column}'.") : row[at];
    }

    /// <summary>A number from a cell ("1,234", "12.5 %", "3.2 us"); NaN for NA or an empty cell.</summary>
    public double Number(string[] row, string column) => ParseNumber(Text(row, column));

    /// <summary>A duration cell (BenchmarkDotNet prints units: ns, us, μs, ms, s) in nanoseconds.</summary>
    public double Nanoseconds(string[] row, string column)
    {
        var text = Text(row, column).Trim();
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var value = ParseNumber(parts[0]);
        var unit = parts.Length > 1 ? parts[1] : "ns";
        return unit switch
        {
            "ns" => value,
            "us" or "μs" or "µs" => value * 1e3,
            "ms" => value * 1e6,
            "s" => value * 1e9,
            _ => throw new InvalidDataException($"'{Path}': unknown unit '{unit}' in '{text}'."),
        };
    }

    private static double ParseNumber(string text)
    {
        var cleaned = text.Replace(",", string.Empty, StringComparison.Ordinal).Replace("%", string.Empty, StringComparison.Ordinal).Trim();
        var space = cleaned.IndexOf(' ', StringComparison.Ordinal);
        if (space > 0)
        {
            cleaned = cleaned[..space];
        }

        return double.TryParse(cleaned, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : double.NaN;
    }

    private static string[] Split(string line, char separator)
    {
        var cells = new List<string>();
        var cell = new System.Text.StringBuilder();
        var quoted = false;
        foreach (var c in line)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == separator && !quoted)
            {
                cells.Add(cell.ToString());
                cell.Clear();
            }
            else
            {
                cell.Append(c);
            }
        }

        cells.Add(cell.ToString());
        return [.. cells];
    }
}
