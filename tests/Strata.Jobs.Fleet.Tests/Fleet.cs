using System.Diagnostics;
using System.Globalization;
using Strata.Jobs.FleetWorker;

namespace Strata.Jobs.Fleet.Tests;

/// <summary>Worker processes started with <c>Strata.Jobs.FleetWorker</c>, each writing its own log file; killed on dispose.</summary>
internal sealed class Fleet : IDisposable
{
    private static readonly TimeSpan ReadyLimit = TimeSpan.FromSeconds(60);
    private readonly List<Process> _processes = [];
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "strata-fleet-" + Guid.NewGuid().ToString("N")[..8]);

    private Fleet()
    {
        Directory.CreateDirectory(_directory);
    }

    public static async Task<Fleet> StartAsync(int workers, string backend, string connection, string store)
    {
        var fleet = new Fleet();
        try
        {
            await Task.WhenAll(Enumerable.Range(0, workers).Select(i => fleet.StartWorkerAsync(i, backend, connection, store)));
        }
        catch
        {
            fleet.Dispose();
            throw;
        }

        return fleet;
    }

    /// <summary>Every line the workers logged so far, parsed.</summary>
    public IReadOnlyList<FleetRun> Runs()
    {
        var runs = new List<FleetRun>();
        foreach (var file in Directory.EnumerateFiles(_directory, "*.log"))
        {
            foreach (var line in ReadShared(file))
            {
                var parts = line.Split(',');
                if (parts.Length == 5)
                {
                    runs.Add(new FleetRun(
                        parts[0],
                        int.Parse(parts[1], CultureInfo.InvariantCulture),
                        new DateTimeOffset(long.Parse(parts[2], CultureInfo.InvariantCulture), TimeSpan.Zero),
                        new DateTimeOffset(long.Parse(parts[3], CultureInfo.InvariantCulture), TimeSpan.Zero),
                        parts[4]));
                }
            }
        }

        return runs;
    }

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            try
            {
                if (!process.HasExited)
                {
                    process.Kill();
                    process.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
                // Exited meanwhile.
            }

            process.Dispose();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a dying process: the temporary directory is cleaned later.
        }
    }

    private static string[] ReadShared(string file)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    private async Task StartWorkerAsync(int index, string backend, string connection, string store)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(typeof(FleetJob).Assembly.Location);
        start.ArgumentList.Add(backend);
        start.ArgumentList.Add(connection);
        start.ArgumentList.Add(store);
        start.ArgumentList.Add(Path.Combine(_directory, $"worker{index}.log"));
        var process = Process.Start(start) ?? throw new InvalidOperationException("A fleet worker did not start.");
        lock (_processes)
        {
            _processes.Add(process);
        }

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data == "ready")
            {
                ready.TrySetResult();
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                errors.Enqueue(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(ready.Task, exited).WaitAsync(ReadyLimit);
        if (first == exited)
        {
            throw new InvalidOperationException($"Fleet worker {index} exited with code {process.ExitCode} before it was ready: {string.Join(" | ", errors)}");
        }
    }
}

/// <summary>One run of a job as a worker logged it.</summary>
internal sealed record FleetRun(string Kind, int ProcessId, DateTimeOffset Start, DateTimeOffset End, string JobId);
