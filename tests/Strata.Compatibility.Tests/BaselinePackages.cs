using System.Formats.Tar;
using System.Xml.Linq;

namespace Strata.Compatibility.Tests;

/// <summary>
/// The packages of the release that package validation compares against: src/Directory.Build.props names its version
/// (StrataBaselineVersion) and the commit it was built from (StrataBaselineCommit). They are packed here from that
/// commit, read out of the repository's history, so no binary is kept in the repository.
/// </summary>
public sealed class BaselinePackages : IAsyncLifetime
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "strata-baseline-" + Guid.NewGuid().ToString("N")[..8]);

    public string Version { get; private set; } = "";

    public string Commit { get; private set; } = "";

    /// <summary>The folder holding the baseline .nupkg files.</summary>
    public string Directory => Path.Combine(_root, "feed");

    public async Task InitializeAsync()
    {
        var props = XDocument.Load(Path.Combine(Repository.Root, "src", "Directory.Build.props"));
        Version = props.Descendants("StrataBaselineVersion").Single().Value;
        Commit = props.Descendants("StrataBaselineCommit").Single().Value;

        var source = Path.Combine(_root, "source");
        System.IO.Directory.CreateDirectory(source);
        try
        {
            await Git.RunAsync(Repository.Root, "cat-file", "-e", Commit + "^{commit}");
        }
        catch (InvalidOperationException ex)
        {
            throw new InvalidOperationException(
                $"The baseline commit {Commit} (release {Version}) is not in this clone. Package validation needs the repository's " +
                "history: clone without --depth, or fetch that commit.", ex);
        }

        // The baseline's source tree, without a .git folder (not needed to pack it).
        var archive = Path.Combine(_root, "baseline.tar");
        await Git.RunAsync(Repository.Root, "archive", "--format=tar", "-o", archive, Commit);
        await TarFile.ExtractToDirectoryAsync(archive, source, overwriteFiles: false);

        var projects = System.IO.Directory.GetFiles(Path.Combine(source, "src"), "*.csproj", SearchOption.AllDirectories);
        await Dotnet.RunAsync(source, ["new", "sln", "-n", "baseline", "--format", "sln"]);
        await Dotnet.RunAsync(source, ["sln", "baseline.sln", "add", .. projects]);
        await Dotnet.RunAsync(source, ["pack", "baseline.sln", "-c", "Release", "-o", Directory, "-nologo"], TimeSpan.FromMinutes(10));
    }

    public Task DisposeAsync()
    {
        try
        {
            System.IO.Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }

        return Task.CompletedTask;
    }
}
