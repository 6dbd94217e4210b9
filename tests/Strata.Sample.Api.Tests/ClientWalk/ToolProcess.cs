using System.Diagnostics;

namespace Strata.Sample.Api.Tests.ClientWalk;

/// <summary>Runs a command line tool to its end and hands back its exit code and output (stdout, then stderr).</summary>
internal static class ToolProcess
{
    public static async Task<(int ExitCode, string Output)> RunAsync(string command, IEnumerable<string> args, string directory, TimeSpan timeout)
    {
        using var process = Process.Start(StartInfo(command, args, directory))!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{command} {string.Join(' ', args)}' ran longer than {timeout}:\n{await stdout}{await stderr}");
        }

        return (process.ExitCode, await stdout + await stderr);
    }

    public static ProcessStartInfo StartInfo(string command, IEnumerable<string> args, string directory, bool redirectInput = false)
    {
        var start = new ProcessStartInfo(command)
        {
            WorkingDirectory = directory,
            RedirectStandardInput = redirectInput,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["KIOTA_OFFLINE_ENABLED"] = "true";        // no update check against GitHub
        start.Environment["KIOTA_CLI_TELEMETRY_OPTOUT"] = "true";
        return start;
    }

    public static string RepositoryRoot()
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
