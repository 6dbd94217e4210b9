using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Strata.Testing;

/// <summary>What the fixtures that start processes of their own (redis-server, a cluster, the sample host) share.</summary>
public static class ChildProcesses
{
    /// <summary>
    /// Starts a small shell loop that kills <paramref name="childProcessId"/> with SIGKILL once
    /// <paramref name="ownerProcessId"/> is gone. Dispose and process-exit hooks stop children in the normal case; a
    /// test host killed with SIGKILL runs neither, and its children used to stay behind. The loop ends by itself as
    /// soon as the child exits. Does nothing where there is no /bin/sh.
    /// </summary>
    public static void KillWhenOwnerExits(int ownerProcessId, int childProcessId)
    {
        if (OperatingSystem.IsWindows() || !File.Exists("/bin/sh"))
        {
            return;
        }

        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var argument in (string[])[
            "-c",
            "while kill -0 \"$1\" 2>/dev/null && kill -0 \"$2\" 2>/dev/null; do sleep 1; done; kill -0 \"$2\" 2>/dev/null && kill -9 \"$2\"; exit 0",
            "strata-watchdog",
            ownerProcessId.ToString(CultureInfo.InvariantCulture),
            childProcessId.ToString(CultureInfo.InvariantCulture)])
        {
            start.ArgumentList.Add(argument);
        }

        using var watchdog = Process.Start(start);
    }

    /// <summary>Appends a line of a child's output, keeping at most <paramref name="maxLength"/> characters.</summary>
    internal static void Append(StringBuilder output, string? line, int maxLength)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            if (output.Length < maxLength)
            {
                output.AppendLine(line);
            }
        }
    }

    /// <summary>The output captured so far, for an error message.</summary>
    internal static string Snapshot(StringBuilder output)
    {
        lock (output)
        {
            return output.Length == 0 ? "(no output)" : output.ToString().Trim();
        }
    }
}
