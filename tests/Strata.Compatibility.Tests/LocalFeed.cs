using System.IO.Compression;
using System.Xml.Linq;

namespace Strata.Compatibility.Tests;

/// <summary>
/// Every package under src/, packed once per test run to a folder feed with a version of its own
/// (<c>0.1.0-compat.{run}</c>), so the NuGet cache never serves a package from an earlier run. The consumer apps take
/// Strata.* from this feed and everything else from the machine's <c>nuget.org</c> source.
/// </summary>
public sealed class LocalFeed : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "strata-compat-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>The version every Strata package has in this feed.</summary>
    public string Version { get; } = "0.1.0-compat." + DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>The folder that holds the .nupkg files.</summary>
    public string Directory => Path.Combine(_root, "feed");

    /// <summary>A folder for consumer apps, outside the repository.</summary>
    public string AppsDirectory => Path.Combine(_root, "apps");

    /// <summary>A solution file holding the package projects under src/ and nothing else.</summary>
    public string Solution => Path.Combine(_root, "packages.sln");

    /// <summary>The names of the packed packages.</summary>
    public IReadOnlyList<string> Packages { get; private set; } = [];

    public async Task InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(Directory);
        System.IO.Directory.CreateDirectory(AppsDirectory);
        var repository = Repository.Root;
        var projects = System.IO.Directory.GetFiles(Path.Combine(repository, "src"), "*.csproj", SearchOption.AllDirectories)
            .Where(p => !p.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToArray();
        projects.Should().NotBeEmpty("src/ holds the packages");

        // One solution file for the packages only, so one `dotnet pack` packs them all (incrementally: in CI the
        // Release build of the test command is already there, made with ContinuousIntegrationBuild as here).
        var solution = Solution;
        await Dotnet.RunAsync(_root, ["new", "sln", "-n", "packages", "--format", "sln"]);
        await Dotnet.RunAsync(_root, ["sln", solution, "add", .. projects]);
        await Dotnet.RunAsync(_root, ["pack", solution, "-c", "Release", "-o", Directory, $"-p:PackageVersion={Version}", "-p:ContinuousIntegrationBuild=true", "-nologo"], TimeSpan.FromMinutes(10));

        Packages = [.. projects.Select(Path.GetFileNameWithoutExtension).Select(n => n!)];
        foreach (var package in Packages)
        {
            File.Exists(PackagePath(package)).Should().BeTrue($"dotnet pack made {package}");
        }
    }

    /// <summary>The path of a package's .nupkg in the feed.</summary>
    public string PackagePath(string package) => Path.Combine(Directory, $"{package}.{Version}.nupkg");

    /// <summary>The dependencies a package declares for a target framework: id to the lowest version it accepts.</summary>
    public IReadOnlyDictionary<string, string> Dependencies(string package, string targetFramework)
    {
        using var archive = ZipFile.OpenRead(PackagePath(package));
        var entry = archive.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var stream = entry.Open();
        var nuspec = XDocument.Load(stream);
        var group = nuspec.Descendants().Where(e => e.Name.LocalName == "group" && e.Parent?.Name.LocalName == "dependencies")
            .Single(g => string.Equals((string?)g.Attribute("targetFramework"), targetFramework, StringComparison.OrdinalIgnoreCase));
        return group.Elements().Where(e => e.Name.LocalName == "dependency").ToDictionary(
            e => (string)e.Attribute("id")!,
            e => ((string)e.Attribute("version")!).Trim('[', ']', '(', ')').Split(',')[0],
            StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The target frameworks a package's nuspec has dependency groups for.</summary>
    public IReadOnlyList<string> TargetFrameworks(string package)
    {
        using var archive = ZipFile.OpenRead(PackagePath(package));
        var entry = archive.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var stream = entry.Open();
        return [.. XDocument.Load(stream).Descendants()
            .Where(e => e.Name.LocalName == "group" && e.Parent?.Name.LocalName == "dependencies")
            .Select(g => (string)g.Attribute("targetFramework")!)];
    }

    public Task DisposeAsync()
    {
        TryDelete(_root);

        // The packages this run put into the global packages folder are of no use to a later run.
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var package in Packages)
        {
            TryDelete(Path.Combine(cache, package.ToLowerInvariant(), Version));
        }

        return Task.CompletedTask;
    }

    private static void TryDelete(string path)
    {
        try
        {
            if (System.IO.Directory.Exists(path))
            {
                System.IO.Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}

[CollectionDefinition(Name)]
public sealed class LocalFeedCollection : ICollectionFixture<LocalFeed>
{
    public const string Name = "local feed";
}
