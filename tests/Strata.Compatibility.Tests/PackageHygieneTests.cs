using System.IO.Compression;
using System.Reflection.Metadata;
using System.Security.Cryptography;
using System.Xml.Linq;

namespace Strata.Compatibility.Tests;

/// <summary>What a consumer checks in a package before taking it: a compatible public API, reproducible bytes, clean paths.</summary>
[Collection(LocalFeedCollection.Name)]
public sealed class PackageHygieneTests(LocalFeed feed, BaselinePackages baseline) : IClassFixture<BaselinePackages>
{
    [Fact]
    public async Task Every_package_is_compatible_with_the_baseline_release_except_the_breaks_it_lists()
    {
        Directory.GetFiles(baseline.Directory, "*.nupkg").Should().NotBeEmpty("the baseline release was packed from its commit");
        var output = Path.Combine(feed.AppsDirectory, "validated");

        // Package validation runs on pack; with a baseline it compares every public API with the release before, and
        // fails on a change that CompatibilitySuppressions.xml does not list. Its marker of a passed run (a semaphore
        // file in obj/) is moved to a fresh path, or a pass without the baseline would let this run skip the check.
        var semaphore = Path.Combine(feed.AppsDirectory, "validation-" + Guid.NewGuid().ToString("N") + ".semaphore");
        var (exitCode, log) = await Dotnet.TryRunAsync(Repository.Root,
            ["pack", feed.Solution, "-c", "Release", "-o", output, $"-p:PackageVersion={feed.Version}", "-p:ContinuousIntegrationBuild=true",
             $"-p:StrataBaselineDirectory={baseline.Directory}", $"-p:_ApiCompatValidatePackageSemaphoreFile={semaphore}", "-nologo"],
            TimeSpan.FromMinutes(10));
        exitCode.Should().Be(0, $"every public API is compatible with {baseline.Version} or its break is listed:\n{ConsumerApp.Errors(log)}");
        log.Should().Contain("Strata.Jobs", "the pack ran over the packages");
    }

    [Fact]
    public void Every_listed_break_is_explained_in_the_breaking_changes_document()
    {
        var document = File.ReadAllText(Path.Combine(Repository.Root, "docs", "breaking-changes.md"));
        var suppressions = Directory.GetFiles(Path.Combine(Repository.Root, "src"), "CompatibilitySuppressions.xml", SearchOption.AllDirectories);
        foreach (var file in suppressions)
        {
            var package = Path.GetFileName(Path.GetDirectoryName(file))!;
            document.Should().Contain($"## {package}", $"{package} lists breaks, so the document has a section for it");
            var section = document[document.IndexOf($"## {package}", StringComparison.Ordinal)..];
            var next = section.IndexOf("\n## ", 3, StringComparison.Ordinal);
            section = next < 0 ? section : section[..next];
            foreach (var target in XDocument.Load(file).Descendants("Target").Select(t => t.Value).Distinct())
            {
                section.Should().Contain(MemberName(target), $"the break of {target} in {package} is explained");
            }
        }
    }

    [Fact]
    public void Symbols_carry_repository_relative_paths_and_the_sources_git_does_not_track()
    {
        foreach (var package in feed.Packages)
        {
            using var archive = ZipFile.OpenRead(feed.PackagePath(package).Replace(".nupkg", ".snupkg", StringComparison.Ordinal));
            var pdbs = archive.Entries.Where(e => e.FullName.EndsWith(".pdb", StringComparison.Ordinal)).ToArray();
            pdbs.Should().NotBeEmpty($"{package}.snupkg holds its symbols");
            foreach (var entry in pdbs)
            {
                using var copy = new MemoryStream();
                using (var stream = entry.Open())
                {
                    stream.CopyTo(copy);
                }

                copy.Position = 0;
                using var provider = MetadataReaderProvider.FromPortablePdbStream(copy);
                var reader = provider.GetMetadataReader();
                var documents = reader.Documents.Select(d => reader.GetString(reader.GetDocument(d).Name)).ToArray();
                documents.Should().NotBeEmpty();
                documents.Should().OnlyContain(d => d.StartsWith("/_/", StringComparison.Ordinal),
                    $"{package} ({entry.FullName}) names no path of the machine that built it");
                var embedded = reader.CustomDebugInformation
                    .Select(reader.GetCustomDebugInformation)
                    .Count(i => reader.GetGuid(i.Kind) == EmbeddedSource);
                embedded.Should().BePositive($"{package} embeds its generated sources, which git does not track");
            }
        }
    }

    [Fact]
    public async Task Two_builds_of_one_commit_in_different_folders_give_the_same_bytes()
    {
        var head = (await Git.RunAsync(Repository.Root, "rev-parse", "HEAD")).Trim();
        var hashes = new List<string>();
        foreach (var name in (string[])["a", "bb"])
        {
            var tree = Path.Combine(feed.AppsDirectory, "deterministic-" + name);
            await Git.RunAsync(Repository.Root, "worktree", "add", "--detach", tree, head);
            try
            {
                var project = Path.Combine(tree, "src", "Strata.Jobs", "Strata.Jobs.csproj");
                await Dotnet.RunAsync(tree, ["build", project, "-c", "Release", "-p:ContinuousIntegrationBuild=true", "-nologo"], TimeSpan.FromMinutes(5));
                hashes.Add(string.Join(',', ((string[])["net8.0", "net10.0"]).Select(tfm =>
                    Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(Path.Combine(tree, "src", "Strata.Jobs", "bin", "Release", tfm, "Strata.Jobs.dll")))))));
            }
            finally
            {
                await Git.RunAsync(Repository.Root, "worktree", "remove", "--force", tree);
            }
        }

        hashes[1].Should().Be(hashes[0], "the build is deterministic: the folder it ran in leaves no trace in the assembly");
    }

    private static readonly Guid EmbeddedSource = new("0E8A571B-6926-466E-B4AD-8AB04611F5FE");

    /// <summary><c>M:Ns.Type.Method``1(args)</c> or <c>T:Ns.Type</c> to <c>Method</c> or <c>Type</c>.</summary>
    private static string MemberName(string target)
    {
        var name = target[(target.IndexOf(':', StringComparison.Ordinal) + 1)..];
        var paren = name.IndexOf('(', StringComparison.Ordinal);
        name = paren < 0 ? name : name[..paren];
        name = name.Split('`')[0];
        return name[(name.LastIndexOf('.') + 1)..];
    }
}
