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
    public void Every_package_ships_symbols_for_each_target_framework()
    {
        foreach (var package in feed.Packages)
        {
            using var nupkg = ZipFile.OpenRead(feed.PackagePath(package));
            using var snupkg = ZipFile.OpenRead(feed.PackagePath(package).Replace(".nupkg", ".snupkg", StringComparison.Ordinal));
            var assemblies = nupkg.Entries.Where(e => e.FullName.StartsWith("lib/", StringComparison.Ordinal) && e.FullName.EndsWith(".dll", StringComparison.Ordinal)).ToArray();
            assemblies.Should().NotBeEmpty($"{package} ships assemblies");
            foreach (var assembly in assemblies)
            {
                var pdb = assembly.FullName[..^".dll".Length] + ".pdb";
                snupkg.Entries.Should().Contain(e => e.FullName == pdb, $"{package}.snupkg holds the symbols of {assembly.FullName}");
            }
        }
    }

    /// <summary>
    /// Each package talks to the others through public API only: an assembly in a package may open its internals to
    /// test projects and the benchmarks, never to another package (the Redis backends implement the public
    /// <c>IJobBackend</c> and <c>IRateLimitStore</c>, as a third party's backend would).
    /// </summary>
    [Fact]
    public void No_package_opens_its_internals_to_another_package()
    {
        var opened = new List<string>();
        foreach (var package in feed.Packages)
        {
            using var nupkg = ZipFile.OpenRead(feed.PackagePath(package));
            foreach (var entry in nupkg.Entries.Where(e => e.FullName.StartsWith("lib/", StringComparison.Ordinal) && e.FullName.EndsWith(".dll", StringComparison.Ordinal)))
            {
                using var stream = new MemoryStream();
                using (var source = entry.Open())
                {
                    source.CopyTo(stream);
                }

                stream.Position = 0;
                using var pe = new System.Reflection.PortableExecutable.PEReader(stream);
                var reader = pe.GetMetadataReader();
                foreach (var friend in InternalsVisibleTo(reader))
                {
                    opened.Add(friend);
                    if (!friend.EndsWith(".Tests", StringComparison.Ordinal) && friend != "Strata.Benchmarks")
                    {
                        Assert.Fail($"{entry.FullName} in {package} opens its internals to {friend}, which is neither a test project nor the benchmarks.");
                    }
                }
            }
        }

        opened.Should().Contain("Strata.Jobs.Tests", "the check read the attributes (the test projects are friends)");
    }

    private static IEnumerable<string> InternalsVisibleTo(MetadataReader reader)
    {
        foreach (var handle in reader.GetAssemblyDefinition().GetCustomAttributes())
        {
            var attribute = reader.GetCustomAttribute(handle);
            if (attribute.Constructor.Kind != HandleKind.MemberReference)
            {
                continue;
            }

            var parent = reader.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent;
            if (parent.Kind != HandleKind.TypeReference || reader.GetString(reader.GetTypeReference((TypeReferenceHandle)parent).Name) != "InternalsVisibleToAttribute")
            {
                continue;
            }

            // The blob: prolog 0x0001, then the one string argument (a packed length, then UTF-8).
            var blob = reader.GetBlobReader(attribute.Value);
            blob.ReadUInt16();
            yield return blob.ReadSerializedString()!.Split(',')[0];
        }
    }

    /// <summary>
    /// The packages build from a clean checkout as CI builds them (ContinuousIntegrationBuild), in two folders of
    /// different names: the bytes must match, and the symbols must name repository-relative paths (<c>/_/</c>) and
    /// embed the generated sources that git does not track. This test found the logging source generator emitting
    /// the log classes of several types in an order that changed from build to build (each assembly now keeps its
    /// <c>[LoggerMessage]</c> methods in one class: ApiKeysLog, JobsLog, RedisJobsLog, RateLimitingLog).
    /// </summary>
    [Fact]
    public async Task Two_clean_builds_of_one_commit_in_different_folders_give_the_same_bytes_and_portable_symbols()
    {
        var head = (await Git.RunAsync(Repository.Root, "rev-parse", "HEAD")).Trim();
        var builds = new List<Dictionary<string, string>>();
        foreach (var name in (string[])["deterministic-a", "deterministic-bbb"])
        {
            var tree = Path.Combine(feed.AppsDirectory, name);
            await Git.RunAsync(Repository.Root, "worktree", "add", "--detach", tree, head);
            try
            {
                var projects = Directory.GetFiles(Path.Combine(tree, "src"), "*.csproj", SearchOption.AllDirectories);
                await Dotnet.RunAsync(tree, ["new", "sln", "-n", "packages", "--format", "sln"]);
                await Dotnet.RunAsync(tree, ["sln", "packages.sln", "add", .. projects]);
                builds.Add(await BuildAsync(tree));
                foreach (var pdb in Directory.GetFiles(Path.Combine(tree, "src"), "Strata.*.pdb", SearchOption.AllDirectories).Where(p => p.Contains("/bin/", StringComparison.Ordinal)))
                {
                    AssertPortable(pdb);
                }
            }
            finally
            {
                await Git.RunAsync(Repository.Root, "worktree", "remove", "--force", tree);
            }
        }

        builds[0].Should().NotBeEmpty();
        builds[1].Should().Equal(builds[0], "a build is a function of its sources: no time, random id, build order or machine path gets in");
    }

    private static async Task<Dictionary<string, string>> BuildAsync(string tree)
    {
        await Dotnet.RunAsync(tree, ["build", "packages.sln", "-c", "Release", "-p:ContinuousIntegrationBuild=true", "-nologo"], TimeSpan.FromMinutes(8));
        return Directory.GetFiles(Path.Combine(tree, "src"), "Strata.*.dll", SearchOption.AllDirectories)
            .Where(p => p.Contains("/bin/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToDictionary(p => Path.GetRelativePath(tree, p), p => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(p))), StringComparer.Ordinal);
    }

    private static void AssertPortable(string pdbPath)
    {
        using var stream = File.OpenRead(pdbPath);
        using var provider = MetadataReaderProvider.FromPortablePdbStream(stream);
        var reader = provider.GetMetadataReader();
        var documents = reader.Documents.Select(d => reader.GetString(reader.GetDocument(d).Name)).ToArray();
        documents.Should().NotBeEmpty();
        documents.Should().OnlyContain(d => d.StartsWith("/_/", StringComparison.Ordinal), $"{pdbPath} names no path of the machine that built it");
        var embedded = reader.CustomDebugInformation
            .Select(reader.GetCustomDebugInformation)
            .Count(i => reader.GetGuid(i.Kind) == EmbeddedSource);
        embedded.Should().BePositive($"{pdbPath} embeds the generated sources, which git does not track");
    }

    private static readonly Guid EmbeddedSource = new("0E8A571B-6926-466E-B4AD-8AB04611F5FE");

    /// <summary><c>M:Ns.Type.Method``1(args)</c> or <c>T:Ns.Type</c> to <c>Method</c> or <c>Type</c>.</summary>
    private static string MemberName(string target)
    {
        var name = target[(target.IndexOf(':', StringComparison.Ordinal) + 1)..];
        var paren = name.IndexOf('(', StringComparison.Ordinal);
        name = paren < 0 ? name : name[..paren];
        name = name.Split('`')[0];
        name = name[(name.LastIndexOf('.') + 1)..];
        return name.StartsWith("get_", StringComparison.Ordinal) || name.StartsWith("set_", StringComparison.Ordinal) ? name[4..] : name;   // a property's accessors are explained under its name
    }
}
