namespace Strata.Docs.Tests;

/// <summary>
/// No dead links in the repository's Markdown: every relative link and image target exists, and every
/// <c>#anchor</c> into a Markdown file (or within one) names a heading there, by GitHub's slug rules.
/// External links (any scheme, e.g. http:, mailto:) are not fetched.
/// </summary>
public sealed class DeadLinkTests
{
    // artifacts/ is build output (tools installed there bring markdown of their own, e.g. kiota's README).
    private static readonly string[] SkippedFolders = ["bin", "obj", "node_modules", ".git", "BenchmarkDotNet.Artifacts", "artifacts"];

    [Fact]
    public void Every_relative_link_and_image_in_the_repositorys_markdown_resolves()
    {
        var root = RepositoryRoot();
        var files = MarkdownFiles(root).ToList();
        files.Select(f => Path.GetRelativePath(root, f).Replace('\\', '/')).Should()
            .Contain(["README.md", "docs/guide.md", "docs/benchmarks.md", "samples/README.md"], "the walk reaches the documents that link to each other");

        var checkedLinks = 0;
        var problems = new List<string>();
        foreach (var file in files)
        {
            foreach (var link in MarkdownLinks.Find(File.ReadAllText(file)))
            {
                if (Check(root, file, link.Target) is { } problem)
                {
                    problems.Add($"{Path.GetRelativePath(root, file).Replace('\\', '/')}:{link.Line}: ({link.Target}) {problem}");
                }

                checkedLinks++;
            }
        }

        checkedLinks.Should().BeGreaterThan(50, "the repository's documents link to each other and to their evidence");
        string.Join('\n', problems).Should().BeEmpty("every relative link must resolve ({0} links in {1} files checked)", checkedLinks, files.Count);
    }

    /// <summary>What is wrong with <paramref name="target"/> as seen from <paramref name="file"/>, or null when it resolves.</summary>
    public static string? Check(string root, string file, string target)
    {
        if (IsExternal(target))
        {
            return null;
        }

        var hash = target.IndexOf('#', StringComparison.Ordinal);
        var path = Uri.UnescapeDataString(hash < 0 ? target : target[..hash]);
        var anchor = hash < 0 ? null : Uri.UnescapeDataString(target[(hash + 1)..]);
        var query = path.IndexOf('?', StringComparison.Ordinal);
        if (query >= 0)
        {
            path = path[..query];
        }

        var resolved = path.Length == 0
            ? file
            : Path.GetFullPath(path.StartsWith('/') ? Path.Combine(root, path.TrimStart('/')) : Path.Combine(Path.GetDirectoryName(file)!, path));
        if (resolved != root && !resolved.StartsWith(root.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return "points outside the repository";
        }

        if (!File.Exists(resolved) && !Directory.Exists(resolved))
        {
            return "does not exist";
        }

        if (anchor is { Length: > 0 } && File.Exists(resolved) && resolved.EndsWith(".md", StringComparison.OrdinalIgnoreCase)
            && !MarkdownLinks.Anchors(File.ReadAllText(resolved)).Contains(anchor))
        {
            return $"has no heading with the anchor #{anchor}";
        }

        return null;
    }

    private static bool IsExternal(string target)
        => target.StartsWith("//", StringComparison.Ordinal)
           || System.Text.RegularExpressions.Regex.IsMatch(target, "^[A-Za-z][A-Za-z0-9+.-]*:");

    private static IEnumerable<string> MarkdownFiles(string folder)
    {
        foreach (var file in Directory.EnumerateFiles(folder, "*.md"))
        {
            yield return file;
        }

        foreach (var child in Directory.EnumerateDirectories(folder))
        {
            if (!SkippedFolders.Contains(Path.GetFileName(child), StringComparer.Ordinal))
            {
                foreach (var file in MarkdownFiles(child))
                {
                    yield return file;
                }
            }
        }
    }

    internal static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Library.sln")) && File.Exists(Path.Combine(directory.FullName, "Directory.Packages.props")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (with Library.sln and Directory.Packages.props) was not found above the test binaries.");
    }
}
