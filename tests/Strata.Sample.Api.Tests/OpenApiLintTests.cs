using System.Diagnostics;
using System.Text.Json;
using Strata.Sample.Api.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Strata.Sample.Api.Tests;

/// <summary>
/// Lints the live <c>/openapi/v1.json</c> with Spectral's <c>oas</c> ruleset (<c>.spectral.yaml</c> beside this file).
/// Spectral (CLI 6.16.3, rulesets 1.23.1) is installed with npm, once, into <c>artifacts/tools/spectral-6.16.3</c>; without Node.js and npm the test
/// fails and says how to install them.
/// </summary>
public sealed class OpenApiLintTests(SampleApiFactory factory, ITestOutputHelper output) : IClassFixture<SampleApiFactory>
{
    private const string SpectralVersion = "6.16.3";
    private const string RulesetsVersion = "1.23.1";   // the oas ruleset's package, pinned so a new rule never turns a run red by itself
    private const string InstallHint = "Install Node.js and npm (Debian: sudo apt-get install -y nodejs npm; build/test.sh does it when run as root).";

    private static readonly Lazy<Task<string>> Spectral = new(InstallSpectralAsync);

    [Fact]
    public async Task The_openapi_document_passes_spectrals_oas_ruleset_without_errors()
    {
        using var client = factory.CreateClient(apiKey: null);

        var problems = await LintAsync(await client.GetStringAsync("/openapi/v1.json"));

        foreach (var problem in problems)
        {
            output.WriteLine(problem.Line);
        }

        output.WriteLine($"spectral:oas: {problems.Count(p => p.Severity == 0)} errors, {problems.Count(p => p.Severity == 1)} warnings, {problems.Count(p => p.Severity > 1)} infos/hints");
        problems.Where(p => p.Severity == 0).Select(p => p.Line).Should().BeEmpty("the document passes spectral:oas without errors");
    }

    [Fact]
    public async Task The_linter_reports_errors_in_a_broken_document()
    {
        // The same run on a document without info.title and info.version: proves the check above can fail.
        var problems = await LintAsync("""{"openapi": "3.1.1", "info": {}, "paths": {}}""");

        problems.Should().Contain(p => p.Severity == 0 && p.Line.Contains("info", StringComparison.Ordinal));
    }

    private static async Task<List<(int Severity, string Line)>> LintAsync(string document)
    {
        var spectral = await Spectral.Value;
        var folder = Directory.CreateTempSubdirectory("strata-openapi-lint-");
        try
        {
            var path = Path.Combine(folder.FullName, "v1.json");
            var results = Path.Combine(folder.FullName, "spectral.json");
            await File.WriteAllTextAsync(path, document);
            var ruleset = Path.Combine(RepositoryRoot(), "tests", "Strata.Sample.Api.Tests", ".spectral.yaml");

            var (exitCode, text) = await RunAsync(
                "node", [spectral, "lint", path, "--ruleset", ruleset, "--format", "json", "--output", results, "--fail-severity", "error"], folder.FullName);

            File.Exists(results).Should().BeTrue($"Spectral writes its results (exit code {exitCode}):\n{text}");
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(results));
            var problems = json.RootElement.EnumerateArray().Select(Describe).ToList();
            exitCode.Should().Be(problems.Any(p => p.Severity == 0) ? 1 : 0, $"Spectral's exit code matches its results:\n{text}");
            return problems;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static (int Severity, string Line) Describe(JsonElement result)
    {
        var severity = result.GetProperty("severity").GetInt32();
        var name = severity switch { 0 => "error", 1 => "warning", 2 => "info", _ => "hint" };
        var path = string.Join('.', result.GetProperty("path").EnumerateArray().Select(p => p.ToString()));
        var line = result.GetProperty("range").GetProperty("start").GetProperty("line").GetInt32() + 1;
        return (severity, $"{name} {result.GetProperty("code")} (line {line}, {path}): {result.GetProperty("message").GetString()}");
    }

    private static async Task<string> InstallSpectralAsync()
    {
        foreach (var tool in new[] { "node", "npm" })
        {
            OnPath(tool).Should().BeTrue($"'{tool}' runs Spectral, the OpenAPI linter. {InstallHint}");
        }

        var folder = Path.Combine(RepositoryRoot(), "artifacts", "tools", $"spectral-{SpectralVersion}");
        var cli = Path.Combine(folder, "node_modules", "@stoplight", "spectral-cli", "dist", "index.js");
        if (!File.Exists(cli))
        {
            Directory.CreateDirectory(folder);
            var (exitCode, text) = await RunAsync(
                "npm", ["install", "--prefix", folder, "--no-audit", "--no-fund", "--no-save",
                 $"@stoplight/spectral-cli@{SpectralVersion}", $"@stoplight/spectral-rulesets@{RulesetsVersion}"], folder);
            exitCode.Should().Be(0, $"npm installs Spectral {SpectralVersion} and its rulesets {RulesetsVersion}:\n{text}");
        }

        File.Exists(cli).Should().BeTrue($"npm installed Spectral at {cli}");
        return cli;
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string command, string[] args, string directory)
    {
        var start = new ProcessStartInfo(command)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static bool OnPath(string tool)
        => (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(directory => File.Exists(Path.Combine(directory, tool)));

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Library.sln")))
        {
            directory = directory.Parent;
        }

        directory.Should().NotBeNull("the tests run inside the repository");
        return directory!.FullName;
    }
}
