using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using StackExchange.Redis;

namespace Strata.Testing;

/// <summary>
/// A real redis-server for tests and benchmarks: either the one named by the
/// <c>STRATA_TEST_REDIS</c> environment variable, or a throwaway server this class starts on a free
/// loopback port with a temporary directory and no persistence.
/// </summary>
/// <remarks>
/// Servers started here are stopped when disposed and, as a last resort, when the process exits,
/// so a failing test run leaves no redis-server behind. Tests that kill and restart a server use
/// <see cref="StartAsync"/> to get a server of their own and <see cref="KillAsync"/> /
/// <see cref="RestartAsync"/> on it.
/// </remarks>
public sealed class RedisServer : IAsyncDisposable
{
    /// <summary>The environment variable that names an existing server, as <c>host:port</c>.</summary>
    public const string EnvironmentVariable = "STRATA_TEST_REDIS";

    /// <summary>A marker in the command line of every server started here, so a CI script can find strays.</summary>
    public const string ProcessMarker = "strata-test-redis";

    private const string InstallHint =
        "Install it with 'sudo apt-get install -y redis-server' (Debian/Ubuntu; build/test.sh does this when run as root), " +
        "or point the tests at a running server with " + EnvironmentVariable + "=host:port.";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);
    private static readonly object SharedGate = new();
    private static readonly List<RedisServer> Started = [];
    private static Task<RedisServer>? s_shared;

    private readonly string? _directory;
    private readonly string[] _extraArguments;
    private Process? _process;
    private int _disposed;

    static RedisServer()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAllStarted();
    }

    private RedisServer(string host, int port, string? directory, string[] extraArguments)
    {
        Host = host;
        Port = port;
        _directory = directory;
        _extraArguments = extraArguments;
    }

    /// <summary>The host the server listens on.</summary>
    public string Host { get; }

    /// <summary>The TCP port the server listens on.</summary>
    public int Port { get; }

    /// <summary><c>host:port</c>.</summary>
    public string Endpoint => $"{Host}:{Port}";

    /// <summary>True when the server was given by <see cref="EnvironmentVariable"/> rather than started here.</summary>
    public bool IsExternal => _directory is null;

    /// <summary>True while a server started here is running.</summary>
    public bool IsRunning => IsExternal || _process is { HasExited: false };

    /// <summary>The temporary directory of a server started here; null for an external one.</summary>
    public string? DataDirectory => _directory;

    /// <summary>
    /// A StackExchange.Redis configuration string for this server that does not abort when the
    /// server is down (tests that stop the server rely on reconnection).
    /// </summary>
    public string ConnectionString => $"{Endpoint},abortConnect=false,connectTimeout=2000,syncTimeout=5000,asyncTimeout=5000";

    /// <summary>
    /// The server shared by every test in this process: the one named by
    /// <see cref="EnvironmentVariable"/>, or one started on first use and stopped when the process exits.
    /// </summary>
    public static Task<RedisServer> GetSharedAsync()
    {
        lock (SharedGate)
        {
            if (s_shared is null || s_shared.IsFaulted || s_shared.IsCanceled)
            {
                s_shared = CreateSharedAsync();
            }

            return s_shared;
        }
    }

    /// <summary>
    /// Starts a throwaway redis-server of the caller's own on a free loopback port (never the
    /// shared or external one), for tests that stop, kill or reconfigure it.
    /// </summary>
    /// <param name="extraArguments">Extra redis-server arguments, for example <c>["--cluster-enabled", "yes"]</c>.</param>
    /// <param name="cancellationToken">Cancels the wait for the server to answer.</param>
    public static async Task<RedisServer> StartAsync(IEnumerable<string>? extraArguments = null, CancellationToken cancellationToken = default)
    {
        var executable = FindRedisServer() ?? throw new InvalidOperationException(
            "redis-server was not found on PATH, and " + EnvironmentVariable + " is not set. " + InstallHint);
        var extra = extraArguments?.ToArray() ?? [];
        Exception? last = null;

        // A free port can be taken between choosing it and redis-server binding it; try a few.
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var directory = Directory.CreateTempSubdirectory(ProcessMarker + "-").FullName;
            var server = new RedisServer("127.0.0.1", FreeLoopbackPort(), directory, extra);
            try
            {
                await server.LaunchAsync(executable, cancellationToken).ConfigureAwait(false);
                return server;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                last = ex;
                await server.DisposeAsync().ConfigureAwait(false);
            }
        }

        throw new InvalidOperationException("redis-server could not be started: " + last?.Message, last);
    }

    /// <summary>Connects a new multiplexer to this server; the caller disposes it.</summary>
    public async Task<ConnectionMultiplexer> ConnectAsync(Action<ConfigurationOptions>? configure = null)
    {
        var options = ConfigurationOptions.Parse(ConnectionString);
        configure?.Invoke(options);
        return await ConnectionMultiplexer.ConnectAsync(options).ConfigureAwait(false);
    }

    /// <summary>Kills the server process at once (SIGKILL), as a crash would. Only for servers started here.</summary>
    public async Task KillAsync()
    {
        var process = RequireOwnProcess();
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Starts the server again on the same port after <see cref="KillAsync"/>. Only for servers started here.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        var process = RequireOwnProcess();
        if (!process.HasExited)
        {
            throw new InvalidOperationException("The server is still running; kill it first.");
        }

        var executable = FindRedisServer() ?? throw new InvalidOperationException("redis-server was not found on PATH. " + InstallHint);
        await LaunchAsync(executable, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Removes every key of the server (<c>FLUSHALL</c>). Use only on a server of the test's own.</summary>
    public async Task FlushAllAsync()
    {
        await using var connection = await ConnectAsync(o => o.AllowAdmin = true).ConfigureAwait(false);
        foreach (var endpoint in connection.GetEndPoints())
        {
            await connection.GetServer(endpoint).FlushAllDatabasesAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1 || IsExternal)
        {
            return;
        }

        lock (Started)
        {
            Started.Remove(this);
        }

        if (_process is { HasExited: false })
        {
            try
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                // Exited between the check and the kill.
            }
        }

        _process?.Dispose();
        _process = null;
        TryDeleteDirectory(_directory!);
    }

    /// <inheritdoc />
    public override string ToString() => IsExternal ? $"redis {Endpoint} (external)" : $"redis {Endpoint} (pid {_process?.Id})";

    private static async Task<RedisServer> CreateSharedAsync()
    {
        var configured = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var endpoint = configured.Trim();
            var colon = endpoint.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(endpoint.AsSpan(colon + 1), out var port))
            {
                throw new InvalidOperationException($"{EnvironmentVariable} must be host:port, but is '{endpoint}'.");
            }

            var external = new RedisServer(endpoint[..colon], port, directory: null, []);
            if (!await external.PingAsync(CancellationToken.None).ConfigureAwait(false))
            {
                throw new InvalidOperationException($"{EnvironmentVariable}={endpoint} does not answer PING. Start that server, or unset the variable so the tests start their own.");
            }

            return external;
        }

        return await StartAsync().ConfigureAwait(false);
    }

    private async Task LaunchAsync(string executable, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = _directory!,
        };
        foreach (var argument in (string[])[
            "--port", Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--bind", Host,
            "--dir", _directory!,
            "--save", "",
            "--appendonly", "no",
            "--daemonize", "no",
            "--protected-mode", "yes",
            "--logfile", "",
            "--loglevel", "warning",
            .. _extraArguments])
        {
            start.ArgumentList.Add(argument);
        }

        var output = new StringBuilder();
        var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => ChildProcesses.Append(output, e.Data, 4096);
        process.ErrorDataReceived += (_, e) => ChildProcesses.Append(output, e.Data, 4096);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        ChildProcesses.KillWhenOwnerExits(Environment.ProcessId, process.Id);
        lock (Started)
        {
            if (!Started.Contains(this))
            {
                Started.Add(this);
            }
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartTimeout);
        while (!await PingAsync(timeout.Token).ConfigureAwait(false))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with code {process.ExitCode} on port {Port}: {ChildProcesses.Snapshot(output)}");
            }

            try
            {
                await Task.Delay(25, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"redis-server on port {Port} did not answer PING within {StartTimeout.TotalSeconds:0} s: {ChildProcesses.Snapshot(output)}");
            }
        }
    }

    private async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(Host, Port, cancellationToken).ConfigureAwait(false);
            var stream = client.GetStream();
            await stream.WriteAsync("PING\r\n"u8.ToArray(), cancellationToken).ConfigureAwait(false);
            var buffer = new byte[64];
            var read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
            var reply = Encoding.ASCII.GetString(buffer, 0, read);

            // A server started with --requirepass answers -NOAUTH before AUTH: it is up all the same.
            return reply.StartsWith("+PONG", StringComparison.Ordinal) || reply.StartsWith("-NOAUTH", StringComparison.Ordinal);
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            return false;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private Process RequireOwnProcess() =>
        _process ?? throw new InvalidOperationException($"{this} was not started by this process; only servers from {nameof(StartAsync)} can be killed or restarted.");

    private static void StopAllStarted()
    {
        RedisServer[] servers;
        lock (Started)
        {
            servers = [.. Started];
        }

        foreach (var server in servers)
        {
            server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    private static string? FindRedisServer()
    {
        string[] candidates = [.. (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, "redis-server")), "/usr/bin/redis-server", "/usr/sbin/redis-server"];
        return candidates.FirstOrDefault(File.Exists);
    }

    internal static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void TryDeleteDirectory(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the temporary directory is empty or nearly so (no persistence).
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
