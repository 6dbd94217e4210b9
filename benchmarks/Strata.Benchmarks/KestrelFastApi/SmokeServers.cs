using System.Collections.Concurrent;

namespace Strata.Benchmarks.KestrelFastApi;

/// <summary>
/// The smoke pass's servers: one per stack, started by the first case that needs it and shared by the cases after,
/// stopped when the process exits (each would stop by itself anyway once its standard input closes).
/// </summary>
internal static class SmokeServers
{
    private static readonly ConcurrentDictionary<string, Lazy<IStackServer>> Servers = new(StringComparer.Ordinal);

    static SmokeServers() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var server in Servers.Values.Where(s => s.IsValueCreated))
        {
            server.Value.Dispose();
        }
    };

    /// <summary>The stack's running server, started with <paramref name="start"/> if there is none yet.</summary>
    /// <param name="stack">The stack (the benchmark method's name).</param>
    /// <param name="start">Starts the stack's server.</param>
    /// <returns>The server.</returns>
    public static IStackServer For(string stack, Func<IStackServer> start)
        => Servers.GetOrAdd(stack, _ => new Lazy<IStackServer>(start, LazyThreadSafetyMode.ExecutionAndPublication)).Value;
}
