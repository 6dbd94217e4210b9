using System.Diagnostics;

namespace Strata.Compatibility.Tests;

/// <summary>Runs git in the repository and fails with its output when it exits non-zero.</summary>
internal static class Git
{
    public static async Task<string> RunAsync(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("git")
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

        using var process = Process.Start(start) ?? throw new InvalidOperationException("git did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'git {string.Join(' ', arguments)}' exited with {process.ExitCode}: {await error}{await output}");
        }

        return await output;
    }
}
