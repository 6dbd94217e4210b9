using System.Diagnostics;
using System.Globalization;
using System.Text;
using StackExchange.Redis;

namespace Strata.Testing;

/// <summary>
/// A real Redis Cluster for tests: three masters (<c>redis-server --cluster-enabled yes</c>), each a throwaway
/// <see cref="RedisServer"/> on a free loopback port with its own temporary directory, no persistence and the
/// same watchdog, joined with <c>redis-cli --cluster create</c> so the 16384 hash slots are split between them.
/// </summary>
/// <remarks>
/// A one-node cluster owns every slot, so it accepts a script whose keys are in different slots as long as
/// SE.Redis does not refuse it first; three masters do not: keys without a shared hash tag land on different
/// nodes and Redis answers CROSSSLOT (or MOVED). Tests that share <see cref="GetSharedAsync"/> keep to keys
/// of their own (a unique prefix), as with the shared <see cref="RedisServer"/>.
/// </remarks>
public sealed class RedisCluster : IAsyncDisposable
{
    /// <summary>The number of hash slots of every Redis Cluster.</summary>
    public const int SlotCount = 16384;

    private const string InstallHint =
        "Install it with 'sudo apt-get install -y redis-server' (Debian/Ubuntu; it brings redis-tools, which has redis-cli).";

    private static readonly TimeSpan CreateTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ConvergeTimeout = TimeSpan.FromSeconds(30);
    private static readonly object SharedGate = new();
    private static Task<RedisCluster>? s_shared;

    private int _disposed;

    private RedisCluster(IReadOnlyList<RedisServer> nodes)
    {
        Nodes = nodes;
    }

    /// <summary>The masters, in the order they were given to <c>redis-cli --cluster create</c>.</summary>
    public IReadOnlyList<RedisServer> Nodes { get; }

    /// <summary>
    /// A StackExchange.Redis configuration string naming every master, that does not abort when a node is down.
    /// </summary>
    public string ConnectionString =>
        string.Join(",", Nodes.Select(n => n.Endpoint)) + ",abortConnect=false,connectTimeout=2000,syncTimeout=5000,asyncTimeout=5000";

    /// <summary>The cluster shared by every test in this process, started on first use and stopped when the process exits.</summary>
    public static Task<RedisCluster> GetSharedAsync()
    {
        lock (SharedGate)
        {
            if (s_shared is null || s_shared.IsFaulted || s_shared.IsCanceled)
            {
                s_shared = StartAsync();
            }

            return s_shared;
        }
    }

    /// <summary>
    /// Starts a cluster of the caller's own: <paramref name="masters"/> cluster-enabled servers, joined with
    /// <c>redis-cli --cluster create ... --cluster-replicas 0</c>; returns once every node reports
    /// <c>cluster_state:ok</c> with all <see cref="SlotCount"/> slots served and every node known.
    /// </summary>
    /// <param name="masters">How many masters; Redis needs at least three.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<RedisCluster> StartAsync(int masters = 3, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(masters, 3);
        var redisCli = RequireRedisCli(Environment.GetEnvironmentVariable("PATH"));
        var nodes = new List<RedisServer>(masters);
        try
        {
            for (var i = 0; i < masters; i++)
            {
                nodes.Add(await StartNodeAsync(cancellationToken).ConfigureAwait(false));
            }

            await CreateAsync(redisCli, nodes.Select(n => n.Endpoint), cancellationToken).ConfigureAwait(false);
            var cluster = new RedisCluster(nodes);
            await cluster.WaitUntilConvergedAsync(cancellationToken).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            foreach (var node in nodes)
            {
                await node.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>Connects a new multiplexer to the cluster (every master named); the caller disposes it.</summary>
    public async Task<ConnectionMultiplexer> ConnectAsync(Action<ConfigurationOptions>? configure = null)
    {
        var options = ConfigurationOptions.Parse(ConnectionString);
        configure?.Invoke(options);
        return await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
    }

    /// <summary>
    /// The keys matching <paramref name="pattern"/> on each master, as each node itself reports them (<c>SCAN</c> on
    /// that node alone), keyed by the node's endpoint; every master is present, with an empty list if it holds none.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> KeysByNodeAsync(string pattern)
    {
        await using var connection = await ConnectAsync().ConfigureAwait(false);
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var node in Nodes)
        {
            var keys = new List<string>();
            await foreach (var key in connection.GetServer(node.Endpoint).KeysAsync(pattern: pattern, pageSize: 1000).ConfigureAwait(false))
            {
                keys.Add(key.ToString());
            }

            result[node.Endpoint] = keys;
        }

        return result;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        foreach (var node in Nodes)
        {
            await node.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override string ToString() => $"redis cluster {string.Join(", ", Nodes.Select(n => n.Endpoint))}";

    /// <summary>The redis-cli on <paramref name="path"/> (a PATH value), or an exception saying how to install it.</summary>
    internal static string RequireRedisCli(string? path)
    {
        string[] candidates = [.. (path ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, "redis-cli"))];
        return candidates.FirstOrDefault(File.Exists) ?? throw new InvalidOperationException(
            "redis-cli was not found on PATH; a Redis Cluster for the tests is created with 'redis-cli --cluster create'. " + InstallHint);
    }

    /// <summary>Runs <c>redis-cli --cluster create</c> on <paramref name="endpoints"/>; throws with the tool's output when it fails.</summary>
    internal static async Task CreateAsync(string redisCli, IEnumerable<string> endpoints, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(redisCli)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in (string[])["--cluster", "create", .. endpoints, "--cluster-replicas", "0", "--cluster-yes"])
        {
            start.ArgumentList.Add(argument);
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => ChildProcesses.Append(output, e.Data, 8192);
        process.ErrorDataReceived += (_, e) => ChildProcesses.Append(output, e.Data, 8192);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CreateTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            throw new TimeoutException($"'redis-cli --cluster create' did not finish within {CreateTimeout.TotalSeconds:0} s: {ChildProcesses.Snapshot(output)}");
        }

        // redis-cli reports some refusals ("[ERR] Node ... is not configured as a cluster node") with exit code 1,
        // others only in its output; a good run ends with "[OK] All 16384 slots covered.".
        var text = ChildProcesses.Snapshot(output);
        if (process.ExitCode != 0 || !text.Contains("[OK] All " + SlotCount.ToString(CultureInfo.InvariantCulture) + " slots covered", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"'redis-cli --cluster create' failed (exit code {process.ExitCode}): {text}");
        }
    }

    private static async Task<RedisServer> StartNodeAsync(CancellationToken cancellationToken)
    {
        // The cluster bus port defaults to the client port + 10000, which is past 65535 for a high free port;
        // give it a free port of its own. A port taken in between fails the start: try again.
        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                return await RedisServer.StartAsync(
                [
                    "--cluster-enabled", "yes",
                    "--cluster-config-file", "nodes.conf",
                    "--cluster-port", RedisServer.FreeLoopbackPort().ToString(CultureInfo.InvariantCulture),
                    "--cluster-node-timeout", "5000",
                ], cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidOperationException ex)
            {
                last = ex;
            }
        }

        throw new InvalidOperationException("A cluster-enabled redis-server could not be started: " + last?.Message, last);
    }

    private async Task WaitUntilConvergedAsync(CancellationToken cancellationToken)
    {
        await using var admin = await ConnectAsync(o => o.AllowAdmin = true).ConfigureAwait(false);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(ConvergeTimeout);
        var expected = new[]
        {
            "cluster_state:ok",
            "cluster_slots_assigned:" + SlotCount.ToString(CultureInfo.InvariantCulture),
            "cluster_slots_ok:" + SlotCount.ToString(CultureInfo.InvariantCulture),
            "cluster_known_nodes:" + Nodes.Count.ToString(CultureInfo.InvariantCulture),
            "cluster_size:" + Nodes.Count.ToString(CultureInfo.InvariantCulture),
        };
        var last = new Dictionary<string, string>(StringComparer.Ordinal);
        while (true)
        {
            var converged = true;
            foreach (var node in Nodes)
            {
                string info;
                try
                {
                    info = (string?)await admin.GetServer(node.Endpoint).ExecuteAsync("CLUSTER", "INFO").ConfigureAwait(false) ?? string.Empty;
                }
                catch (RedisException ex)
                {
                    info = ex.Message;
                }

                // RESP3 sends CLUSTER INFO as a verbatim string, which reads with its "txt:" format marker first.
                if (info.StartsWith("txt:", StringComparison.Ordinal))
                {
                    info = info["txt:".Length..];
                }

                last[node.Endpoint] = info;
                var lines = info.Split('\n', StringSplitOptions.TrimEntries);
                converged &= expected.All(lines.Contains);
            }

            if (converged)
            {
                return;
            }

            try
            {
                await Task.Delay(50, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                var report = string.Join("; ", last.Select(p => $"{p.Key}: {string.Join(' ', p.Value.Split('\n', StringSplitOptions.TrimEntries).Where(l => l.StartsWith("cluster_s", StringComparison.Ordinal) || l.StartsWith("cluster_k", StringComparison.Ordinal)))}"));
                throw new TimeoutException($"The cluster did not report {string.Join(", ", expected)} on every node within {ConvergeTimeout.TotalSeconds:0} s: {report}");
            }
        }
    }
}
