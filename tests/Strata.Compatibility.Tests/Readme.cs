using System.Text.RegularExpressions;

namespace Strata.Compatibility.Tests;

/// <summary>A package README under src/, split into its fenced blocks.</summary>
internal sealed partial class Readme
{
    private Readme(string path, string[] lines, IReadOnlyList<ReadmeBlock> blocks)
    {
        Path = path;
        Lines = lines;
        Blocks = blocks;
    }

    /// <summary>The README's full path.</summary>
    public string Path { get; }

    /// <summary>The path relative to the repository root, with forward slashes: <c>src/Strata.Jobs/README.md</c>.</summary>
    public string RelativePath => System.IO.Path.GetRelativePath(Repository.Root, Path).Replace('\\', '/');

    /// <summary>The package the README belongs to (its folder's name).</summary>
    public string Package => System.IO.Path.GetFileName(System.IO.Path.GetDirectoryName(Path))!;

    /// <summary>A C# identifier made from the package name: <c>Strata_Jobs</c>.</summary>
    public string Identifier => Package.Replace('.', '_');

    public IReadOnlyList<string> Lines { get; }

    /// <summary>Every fenced block, in order.</summary>
    public IReadOnlyList<ReadmeBlock> Blocks { get; }

    /// <summary>The <c>```csharp</c> blocks, in order (their <see cref="ReadmeBlock.Number"/> counts these only).</summary>
    public IReadOnlyList<ReadmeBlock> CSharpBlocks => [.. Blocks.Where(b => b.IsCSharp)];

    /// <summary>The packages named by <c>dotnet add package X</c> lines in the README's other blocks.</summary>
    public IReadOnlyList<string> InstalledPackages =>
        [.. Blocks.Where(b => !b.IsCSharp).SelectMany(b => b.Lines).Select(l => AddPackage().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value).Distinct(StringComparer.OrdinalIgnoreCase)];

    /// <summary>The README of every package under src/, ordered by path.</summary>
    public static IReadOnlyList<Readme> All() =>
        [.. Directory.GetDirectories(System.IO.Path.Combine(Repository.Root, "src"))
            .Select(d => System.IO.Path.Combine(d, "README.md"))
            .Where(File.Exists)
            .Order(StringComparer.Ordinal)
            .Select(Load)];

    public static Readme Load(string path)
    {
        var lines = File.ReadAllLines(path);
        var blocks = new List<ReadmeBlock>();
        var csharp = 0;
        for (var i = 0; i < lines.Length; i++)
        {
            var open = Fence().Match(lines[i]);
            if (!open.Success)
            {
                continue;
            }

            var indent = open.Groups["indent"].Value.Length;
            var language = open.Groups["language"].Value.Trim();
            var body = new List<string>();
            var start = i + 1;
            for (i++; i < lines.Length && !ClosingFence().IsMatch(lines[i]); i++)
            {
                // A block inside a list item is indented as its fence is; the code itself starts at the fence's column.
                var line = lines[i];
                body.Add(line.Length >= indent && string.IsNullOrWhiteSpace(line[..indent]) ? line[indent..] : line.TrimStart());
            }

            var isCSharp = language is "csharp" or "cs" or "c#";
            blocks.Add(new ReadmeBlock(isCSharp ? ++csharp : 0, language, start + 1, body));
        }

        return new Readme(path, lines, blocks);
    }

    [GeneratedRegex(@"^(?<indent>\s*)```(?<language>[^`\s]*)\s*$")]
    private static partial Regex Fence();

    [GeneratedRegex(@"^\s*```\s*$")]
    private static partial Regex ClosingFence();

    [GeneratedRegex(@"^\s*dotnet add package\s+([A-Za-z0-9_.\-]+)")]
    private static partial Regex AddPackage();
}

/// <summary>
/// One fenced block: <see cref="Number"/> is its ordinal among the README's csharp blocks (1 for the first, 0 for a
/// block of another language), <see cref="FirstLine"/> the README line (1-based) of its first code line.
/// </summary>
internal sealed record ReadmeBlock(int Number, string Language, int FirstLine, IReadOnlyList<string> Lines)
{
    public bool IsCSharp => Number > 0;

    public int LastLine => FirstLine + Lines.Count - 1;
}
