using System.Diagnostics;
using System.Globalization;
using StackExchange.Redis;

namespace Strata.Benchmarks.RateLimiting;

/// <summary>CPU time used so far by this process (the client) and by the redis-server behind a connection (INFO cpu: user + sys).</summary>
/// <param name="Client">Seconds of CPU of this process.</param>
/// <param name="Server">Seconds of CPU of redis-server, all its threads.</param>
/// <param name="Scripts">Script calls (EVALSHA and EVAL) redis-server has run.</param>
internal readonly record struct CpuSeconds(double Client, double Server, long Scripts = 0)
{
    public static CpuSeconds operator -(CpuSeconds a, CpuSeconds b) => new(a.Client - b.Client, a.Server - b.Server, a.Scripts - b.Scripts);

    /// <summary>Reads both clocks now.</summary>
    /// <param name="connection">An admin connection (<c>AllowAdmin</c>, for INFO) to the one redis-server.</param>
    /// <returns>The CPU seconds used so far.</returns>
    public static async Task<CpuSeconds> ReadAsync(IConnectionMultiplexer connection)
    {
        using var self = Process.GetCurrentProcess();
        return new(self.TotalProcessorTime.TotalSeconds, await ServerAsync(connection).ConfigureAwait(false), await ScriptsAsync(connection).ConfigureAwait(false));
    }

    /// <summary>Script calls redis-server has run so far (INFO commandstats: EVALSHA and EVAL).</summary>
    /// <param name="connection">An admin connection to the one redis-server.</param>
    /// <returns>Calls.</returns>
    public static async Task<long> ScriptsAsync(IConnectionMultiplexer connection)
    {
        var server = connection.GetServer(connection.GetEndPoints()[0]);
        var info = (string?)await server.ExecuteAsync("INFO", "commandstats").ConfigureAwait(false) ?? string.Empty;
        long calls = 0;
        foreach (var line in info.Split('\n'))
        {
            if (line.StartsWith("cmdstat_evalsha:", StringComparison.Ordinal) || line.StartsWith("cmdstat_eval:", StringComparison.Ordinal))
            {
                var start = line.IndexOf("calls=", StringComparison.Ordinal) + 6;
                calls += long.Parse(line.AsSpan(start, line.IndexOf(',', start) - start), CultureInfo.InvariantCulture);
            }
        }

        return calls;
    }

    /// <summary>redis-server's CPU seconds so far (main thread and the rest, user and system).</summary>
    /// <param name="connection">A connection to the one redis-server.</param>
    /// <returns>Seconds.</returns>
    public static async Task<double> ServerAsync(IConnectionMultiplexer connection)
    {
        var server = connection.GetServer(connection.GetEndPoints()[0]);
        var info = (string?)await server.ExecuteAsync("INFO", "cpu").ConfigureAwait(false) ?? string.Empty;
        double total = 0;
        foreach (var line in info.Split('\n'))
        {
            var parts = line.Trim().Split(':');
            if (parts is ["used_cpu_user" or "used_cpu_sys", var value])
            {
                total += double.Parse(value, CultureInfo.InvariantCulture);
            }
        }

        return total;
    }
}

/// <summary>Decisions and the CPU they took, summed over runs; printed as a <c>// strata-cpu</c> line in microseconds per decision.</summary>
/// <param name="Decisions">Decisions made.</param>
/// <param name="Used">CPU used by client and server meanwhile.</param>
internal readonly record struct CpuTotals(long Decisions, CpuSeconds Used)
{
    public static CpuTotals operator +(CpuTotals a, CpuTotals b) => new(a.Decisions + b.Decisions, new(a.Used.Client + b.Used.Client, a.Used.Server + b.Used.Server, a.Used.Scripts + b.Used.Scripts));

    public string ToLine(string name) => string.Create(CultureInfo.InvariantCulture,
        $"// strata-cpu {name} decisions={Decisions} client_us={Used.Client * 1e6 / Decisions:F2} server_us={Used.Server * 1e6 / Decisions:F2} decisions_per_call={(Used.Scripts == 0 ? 0 : (double)Decisions / Used.Scripts):F1}");
}
