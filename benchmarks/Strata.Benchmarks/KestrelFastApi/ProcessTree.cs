using System.Globalization;

namespace Strata.Benchmarks.KestrelFastApi;

/// <summary>
/// CPU time and resident memory of a process and all its descendants, read from Linux's <c>/proc/[pid]/stat</c>
/// (Uvicorn's workers are child processes; <see cref="System.Diagnostics.Process.TotalProcessorTime"/> sees only one
/// process). CPU counts user and system time of every thread of the processes alive at the sample, in clock ticks.
/// </summary>
internal static class ProcessTree
{
    // USER_HZ: the unit of utime and stime in /proc/[pid]/stat (100 on every Linux this runs on).
    private const double TicksPerSecond = 100;

    /// <summary>Samples the tree rooted at <paramref name="root"/>.</summary>
    /// <param name="root">The root process id.</param>
    /// <returns>The tree's CPU time, resident memory and process count.</returns>
    public static ProcessTreeSample Sample(int root)
    {
        var stats = new Dictionary<int, (int Parent, long Ticks, long RssPages)>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            string text;
            try
            {
                text = File.ReadAllText(Path.Combine(directory, "stat"));
            }
            catch (IOException)
            {
                continue;  // the process ended meanwhile
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            // Fields after the command name (which may hold spaces and parentheses): state ppid ... utime(14) stime(15) ... rss(24).
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            long Field(int number) => long.Parse(fields[number - 3], CultureInfo.InvariantCulture);
            stats[pid] = ((int)Field(4), Field(14) + Field(15), Field(24));
        }

        var tree = new HashSet<int> { root };
        bool grew;
        do
        {
            grew = false;
            foreach (var (pid, stat) in stats)
            {
                if (tree.Contains(stat.Parent) && tree.Add(pid))
                {
                    grew = true;
                }
            }
        }
        while (grew);

        var members = tree.Where(stats.ContainsKey).Select(p => stats[p]).ToList();
        return new ProcessTreeSample(
            TimeSpan.FromSeconds(members.Sum(m => m.Ticks) / TicksPerSecond),
            members.Sum(m => m.RssPages) * Environment.SystemPageSize,
            members.Count);
    }
}

/// <summary>One sample of a process tree.</summary>
/// <param name="Cpu">User and system CPU time of the processes alive now, since each started.</param>
/// <param name="RssBytes">The sum of their resident set sizes (pages shared between them count once per process).</param>
/// <param name="Processes">How many processes the tree has.</param>
internal sealed record ProcessTreeSample(TimeSpan Cpu, long RssBytes, int Processes);
