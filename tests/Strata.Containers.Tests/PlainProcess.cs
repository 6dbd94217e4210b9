using System.Diagnostics;
using System.Globalization;
using Strata.Testing;

namespace Strata.Containers.Tests;

/// <summary>The built sample host as a plain process (the same role the container runs), killed on dispose.</summary>
internal sealed class PlainProcess : IDisposable
{
    private readonly Process _process;

    public PlainProcess(IEnumerable<string> arguments, IDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Repository.SampleDll);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        ChildProcesses.KillWhenOwnerExits(Environment.ProcessId, _process.Id);
    }

    public bool IsRunning => !_process.HasExited;

    public long ResidentBytes => Resident(_process.Id);

    /// <summary>VmRSS of a process and its children (PostgreSQL's backends), from /proc.</summary>
    public static long Resident(int processId)
    {
        var total = 0L;
        foreach (var line in File.ReadLines($"/proc/{processId}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                total += long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
            }
        }

        foreach (var child in Children(processId))
        {
            total += Resident(child);
        }

        return total;
    }

    private static IEnumerable<int> Children(int processId)
    {
        var path = $"/proc/{processId}/task/{processId}/children";
        return File.Exists(path)
            ? File.ReadAllText(path).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(p => int.Parse(p, CultureInfo.InvariantCulture)).ToList()
            : [];
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
    }
}
