using System.Diagnostics;
using System.Text;

namespace Strata.Compatibility.Tests;

/// <summary>Runs the <c>dotnet</c> CLI and fails with its whole output when it exits non-zero.</summary>
internal static class Dotnet
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(5);

    public static async Task<string> RunAsync(string workingDirectory, IEnumerable<string> arguments, TimeSpan? timeout = null)
    {
        var (exitCode, output) = await TryRunAsync(workingDirectory, arguments, timeout);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"'dotnet {string.Join(' ', arguments)}' in {workingDirectory} exited with {exitCode}:\n{output}");
        }

        return output;
    }

    public static async Task<(int ExitCode, string Output)> TryRunAsync(string workingDirectory, IEnumerable<string> arguments, TimeSpan? timeout = null)
    {
        var start = NewStartInfo(workingDirectory, arguments);
        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cancellation = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            await process.WaitForExitAsync(cancellation.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'dotnet {string.Join(' ', arguments)}' did not finish within {timeout ?? DefaultTimeout}:\n{Snapshot(output)}");
        }

        process.WaitForExit();
        return (process.ExitCode, Snapshot(output));
    }

    /// <summary>A start info for the dotnet CLI, with the environment a fresh user shell would have for it.</summary>
    public static ProcessStartInfo NewStartInfo(string workingDirectory, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";

        // The test host's own MSBuild settings must not leak into the consumer's build.
        foreach (var name in (string[])["MSBuildSDKsPath", "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "DOTNET_HOST_PATH", "VSTEST_HOST_DEBUG"])
        {
            start.Environment.Remove(name);
        }

        return start;
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}

/// <summary>The repository this test project was built from.</summary>
internal static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Library.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Library.sln above {AppContext.BaseDirectory}.");
    }
}
