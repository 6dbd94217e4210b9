namespace Strata.Sample.Api.Tests.ClientWalk;

/// <summary>
/// Generates a C# client from an OpenAPI document with Kiota and builds the walk program (<c>Template/</c>) around it.
/// Kiota <see cref="KiotaVersion"/> is a dotnet tool, installed once into <c>artifacts/tools/kiota-1.38.0</c>; the Kiota
/// runtime packages are pinned in the repository's Directory.Packages.props, which is copied beside the template with the
/// repository's nuget.config.
/// </summary>
internal static class GeneratedClient
{
    public const string KiotaVersion = "1.38.0";
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);
    private static readonly Lazy<Task<string>> Kiota = new(InstallKiotaAsync);

    /// <summary>Generates the client from <paramref name="document"/> into <paramref name="folder"/> and builds the walk; returns Walker.dll.</summary>
    public static async Task<string> BuildWalkerAsync(string document, string folder)
    {
        var kiota = await Kiota.Value;
        var root = ToolProcess.RepositoryRoot();
        CopyDirectory(Path.Combine(root, "tests", "Strata.Sample.Api.Tests", "ClientWalk", "Template"), folder);
        foreach (var file in new[] { "Directory.Packages.props", "nuget.config" }.Where(file => File.Exists(Path.Combine(root, file))))
        {
            File.Copy(Path.Combine(root, file), Path.Combine(folder, file));   // the repository's pins and package sources
        }

        var description = Path.Combine(folder, "v1.json");
        await File.WriteAllTextAsync(description, document);

        var (exitCode, output) = await ToolProcess.RunAsync(
            kiota,
            ["generate", "--language", "CSharp", "--class-name", "SampleClient", "--namespace-name", "Strata.Sample.Client",
             "--openapi", description, "--output", Path.Combine(folder, "Client", "Generated"),
             "--exclude-backward-compatible", "--clean-output", "--log-level", "Warning"],
            folder,
            Timeout);
        exitCode.Should().Be(0, $"Kiota {KiotaVersion} generates a C# client from the live document:\n{output}");

        var bin = Path.Combine(folder, "bin");
        (exitCode, output) = await ToolProcess.RunAsync(
            "dotnet", ["build", Path.Combine(folder, "Walker", "Walker.csproj"), "-c", "Release", "-nologo", "-o", bin], folder, Timeout);
        exitCode.Should().Be(0, $"the generated client and the walk build (the walk with warnings as errors):\n{output}");
        return Path.Combine(bin, "Walker.dll");
    }

    private static async Task<string> InstallKiotaAsync()
    {
        var folder = Path.Combine(ToolProcess.RepositoryRoot(), "artifacts", "tools", $"kiota-{KiotaVersion}");
        var kiota = Path.Combine(folder, OperatingSystem.IsWindows() ? "kiota.exe" : "kiota");
        if (!File.Exists(kiota))
        {
            Directory.CreateDirectory(folder);
            var (exitCode, output) = await ToolProcess.RunAsync(
                "dotnet", ["tool", "install", "Microsoft.OpenApi.Kiota", "--version", KiotaVersion, "--tool-path", folder], folder, Timeout);
            exitCode.Should().Be(0, $"dotnet installs the Kiota tool {KiotaVersion}:\n{output}");
        }

        File.Exists(kiota).Should().BeTrue($"the Kiota tool is installed at {kiota}");
        return kiota;
    }

    private static void CopyDirectory(string source, string target)
    {
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            {
                continue;
            }

            var destination = Path.Combine(target, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
    }
}
