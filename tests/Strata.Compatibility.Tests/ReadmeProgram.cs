using System.Text;
using System.Text.RegularExpressions;

namespace Strata.Compatibility.Tests;

/// <summary>
/// Turns the csharp blocks of one README into one C# file of the README app (see the rules in ReadmeAppTests): the
/// first block's usings, then its statements as the body of <c>Program_.MainAsync(string[] args)</c>, then its types;
/// every other block as the body of <c>Snippets.BlockNAsync(WebApplicationBuilder builder, WebApplication app)</c>; all
/// in <c>namespace Readme.{Package}</c>, with <c>#line</c> directives so that the compiler names README lines.
/// </summary>
internal static partial class ReadmeProgram
{
    /// <summary>The file the README's code goes to in the app: <c>Readme_Strata_Jobs.cs</c>.</summary>
    public static string FileName(Readme readme) => $"Readme_{readme.Identifier}.cs";

    /// <summary>What the README's blocks break of the rules that are checked before compiling, by README line.</summary>
    public static IReadOnlyList<ReadmeProblem> Check(Readme readme)
    {
        var problems = new List<ReadmeProblem>();
        var blocks = readme.CSharpBlocks;
        if (blocks.Count == 0)
        {
            problems.Add(new(readme, 0, 0, "RULE", "the README has no csharp block: its first one must be a complete Program.cs"));
            return problems;
        }

        var first = blocks[0];
        var (usings, statements, types) = SplitProgram(first);
        var code = string.Join('\n', statements.Select(s => s.Text));
        if (!code.Contains("WebApplication.CreateBuilder(args)", StringComparison.Ordinal) || !RunCall().IsMatch(code))
        {
            problems.Add(new(readme, 1, first.FirstLine, "RULE",
                "the first csharp block is not a complete Program.cs: it must call WebApplication.CreateBuilder(args) and app.Run() / RunAsync() in its top-level statements"));
        }

        foreach (var line in types.Where(t => UsingLine().IsMatch(t.Text)))
        {
            problems.Add(new(readme, 1, line.Line, "RULE", "a using directive after code: the usings of the first block come first"));
        }

        foreach (var block in blocks.Skip(1))
        {
            var (_, body) = SplitSnippet(block);
            foreach (var line in body.Where(l => TypeStart().IsMatch(l.Text)))
            {
                problems.Add(new(readme, block.Number, line.Line, "RULE",
                    "a snippet declares a type: declare the types a snippet needs in the README's first csharp block"));
            }

            foreach (var line in body.Where(l => UsingLine().IsMatch(l.Text)))
            {
                problems.Add(new(readme, block.Number, line.Line, "RULE", "a using directive after code: a snippet's usings come first"));
            }
        }

        return problems;
    }

    /// <summary>The C# file that holds every csharp block of the README.</summary>
    public static string Generate(Readme readme)
    {
        var path = readme.Path.Replace('\\', '/').Replace("\"", "\\\"", StringComparison.Ordinal);
        var blocks = readme.CSharpBlocks;
        var (firstUsings, statements, types) = SplitProgram(blocks[0]);
        var snippets = blocks.Skip(1).Select(b => (Block: b, Parts: SplitSnippet(b))).ToArray();

        var text = new StringBuilder();
        text.AppendLine($"// The csharp blocks of {readme.RelativePath}, as the README app compiles them (Strata.Compatibility.Tests).");
        text.AppendLine("#pragma warning disable CS1998 // every block becomes an async method; a block need not await");

        // The usings of the first block, then any a snippet adds; each only once (a repeated one would be CS0105).
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in firstUsings.Concat(snippets.SelectMany(s => s.Parts.Usings)))
        {
            if (seen.Add(line.Text.Trim()))
            {
                Emit(text, path, [line]);
            }
        }

        text.AppendLine($"namespace Readme.{readme.Identifier}");
        text.AppendLine("{");
        text.AppendLine("    internal static class Program_");
        text.AppendLine("    {");
        text.AppendLine("        public static async Task MainAsync(string[] args)");
        text.AppendLine("        {");
        Emit(text, path, statements);
        text.AppendLine("        }");
        text.AppendLine("    }");
        text.AppendLine();
        text.AppendLine("    internal static class Snippets");
        text.AppendLine("    {");
        foreach (var (block, parts) in snippets)
        {
            text.AppendLine($"        public static async Task Block{block.Number}Async(WebApplicationBuilder builder, WebApplication app)");
            text.AppendLine("        {");
            Emit(text, path, parts.Body);
            text.AppendLine("        }");
            text.AppendLine();
        }

        text.AppendLine("    }");
        text.AppendLine();
        Emit(text, path, types);
        text.AppendLine("}");
        return text.ToString();
    }

    /// <summary>
    /// The first block: the using lines at its top (blank and comment lines between them allowed), then the top-level
    /// statements, then, from the first line at column 0 that starts with <c>public </c>, <c>internal </c> or
    /// <c>[</c> (an attribute), the type declarations.
    /// </summary>
    public static (IReadOnlyList<CodeLine> Usings, IReadOnlyList<CodeLine> Statements, IReadOnlyList<CodeLine> Types) SplitProgram(ReadmeBlock block)
    {
        var (usings, rest) = SplitSnippet(block);
        var typeStart = rest.ToList().FindIndex(l => TypeStart().IsMatch(l.Text));
        return typeStart < 0 ? (usings, rest, []) : (usings, [.. rest.Take(typeStart)], [.. rest.Skip(typeStart)]);
    }

    /// <summary>A block's leading using lines (to the file header), and the rest.</summary>
    public static (IReadOnlyList<CodeLine> Usings, IReadOnlyList<CodeLine> Body) SplitSnippet(ReadmeBlock block)
    {
        var lines = block.Lines.Select((text, i) => new CodeLine(block.FirstLine + i, text)).ToArray();
        var head = 0;
        while (head < lines.Length && (UsingLine().IsMatch(lines[head].Text) || string.IsNullOrWhiteSpace(lines[head].Text) || lines[head].Text.TrimStart().StartsWith("//", StringComparison.Ordinal)))
        {
            head++;
        }

        return ([.. lines.Take(head).Where(l => UsingLine().IsMatch(l.Text))], [.. lines.Skip(head)]);
    }

    private static void Emit(StringBuilder text, string path, IReadOnlyList<CodeLine> lines)
    {
        var next = -1;
        foreach (var line in lines)
        {
            if (line.Line != next)
            {
                text.AppendLine($"#line {line.Line} \"{path}\"");
            }

            text.AppendLine(line.Text);
            next = line.Line + 1;
        }

        if (lines.Count > 0)
        {
            text.AppendLine("#line default");
        }
    }

    [GeneratedRegex(@"^using\s+[A-Za-z_][\w.]*(\s*=\s*[\w.<>, ]+)?\s*;")]
    private static partial Regex UsingLine();

    [GeneratedRegex(@"^(public |internal |\[)")]
    private static partial Regex TypeStart();

    [GeneratedRegex(@"\bapp\.Run(Async)?\(")]
    private static partial Regex RunCall();
}

/// <summary>A line of a block with its README line number (1-based).</summary>
internal readonly record struct CodeLine(int Line, string Text);

/// <summary>A broken rule or a compiler error, located in a README.</summary>
internal sealed record ReadmeProblem(Readme Readme, int Block, int Line, string Code, string Message)
{
    public override string ToString() =>
        $"{Readme.RelativePath}, {(Block > 0 ? $"csharp block {Block}, " : "")}{(Line > 0 ? $"line {Line}" : "")}: {Code}: {Message}";
}
