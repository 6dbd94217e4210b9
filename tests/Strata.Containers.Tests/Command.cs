using System.Diagnostics;
using System.Text;

namespace Strata.Containers.Tests;

/// <summary>One run of a command (podman, a build script) to its end: exit code and output, within a deadline.</summary>
internal sealed record Command(int ExitCode, string Output, TimeSpan Elapsed)
{
    public static async Task<Command> RunAsync(string file, IEnumerable<string> arguments, TimeSpan deadline, IDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["CONTAINERS_CONF"] = Repository.ContainersConf;
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var output = new StringBuilder();
        var clock = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(deadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"'{file} {string.Join(' ', arguments)}' did not end within {deadline}:\n{Text(output)}");
        }

        process.WaitForExit();
        return new Command(process.ExitCode, Text(output), clock.Elapsed);
    }

    /// <summary>Runs the command and fails with its output unless it exits 0.</summary>
    public static async Task<Command> RequireAsync(string file, IEnumerable<string> arguments, TimeSpan deadline, IDictionary<string, string>? environment = null)
    {
        var result = await RunAsync(file, arguments, deadline, environment);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{file} {string.Join(' ', arguments)}' exited {result.ExitCode}:\n{result.Output}");
        }

        return result;
    }

    public static Task<Command> PodmanAsync(params string[] arguments) => RequireAsync("podman", arguments, TimeSpan.FromMinutes(2));

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString().Trim();
        }
    }
}
