using System.Diagnostics;

namespace Strata.Sample.Data.Tests;

/// <summary>Starts this test assembly as a separate process (see <see cref="Program"/>).</summary>
internal static class SampleProcess
{
    public static async Task<(int ExitCode, string Output)> RunAsync(string provider, string connectionString, int jobs)
    {
        var start = new ProcessStartInfo
        {
            FileName = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet",
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])[typeof(Program).Assembly.Location, "migrate-and-save", provider, connectionString, jobs.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the sample process.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The sample process did not finish within 2 minutes: {await output}{await error}");
        }

        return (process.ExitCode, await output + await error);
    }

    /// <summary>The analysis id printed for each job, by job.</summary>
    public static Dictionary<string, Guid> ParseIds(string output) => output
        .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
        .Select(line => line.Split(' '))
        .Where(parts => parts.Length == 2 && parts[0].StartsWith("job-", StringComparison.Ordinal) && Guid.TryParse(parts[1], out _))
        .ToDictionary(parts => parts[0], parts => Guid.Parse(parts[1]));
}
