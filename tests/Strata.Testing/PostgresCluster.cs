using System.Diagnostics;
using System.Globalization;
using System.Text;
using Xunit;

namespace Strata.Testing;

/// <summary>
/// A real PostgreSQL server for tests: a throwaway cluster of the caller's own, made with <c>initdb</c> in a temporary
/// directory and started with <c>pg_ctl</c> on a free loopback port (trust authentication for the user
/// <see cref="UserName"/>, no fsync: nothing here needs to survive a crash), stopped and deleted when disposed.
/// </summary>
/// <remarks>
/// <para>
/// It uses the server binaries of Debian's <c>postgresql</c> package (<c>/usr/lib/postgresql/&lt;version&gt;/bin</c>,
/// the newest version found); build/test.sh installs the package. Without them, starting throws
/// <see cref="InvalidOperationException"/> with <see cref="InstallMessage"/>: the tests fail, they never skip.
/// PostgreSQL refuses to run as root, so when the tests run as root the server runs as the package's <c>postgres</c>
/// user (through <c>runuser</c>).
/// </para>
/// <para>
/// Use it as an xunit fixture (<c>IClassFixture&lt;PostgresCluster&gt;</c> or a collection fixture: one cluster, and a
/// new database per test from <see cref="CreateDatabaseAsync"/>), or start one with <see cref="StartAsync"/> and
/// <c>await using</c> it. A cluster is stopped when disposed, when the test process exits, and, if the test process
/// is killed with SIGKILL, by the watchdog of <see cref="ChildProcesses.KillWhenOwnerExits"/>.
/// </para>
/// <para>
/// This class needs no PostgreSQL client library: it returns Npgsql-style connection strings
/// (<c>Host=127.0.0.1;Port=...;Username=strata;Database=...</c>) and creates databases with the package's
/// <c>createdb</c>.
/// </para>
/// </remarks>
public sealed class PostgresCluster : IAsyncLifetime, IAsyncDisposable
{
    /// <summary>The prefix of every cluster's temporary directory, so a CI script can find strays.</summary>
    public const string ProcessMarker = "strata-test-postgres";

    /// <summary>The role the tests connect as: the cluster's superuser, trusted on loopback (no password).</summary>
    public const string UserName = "strata";

    /// <summary>Where Debian's <c>postgresql</c> package puts its versioned server binaries.</summary>
    public const string DefaultInstallRoot = "/usr/lib/postgresql";

    /// <summary>The message of the exception thrown when the PostgreSQL server binaries are not installed.</summary>
    public const string InstallMessage =
        "PostgreSQL is not installed: the tests start a server of their own from " + DefaultInstallRoot + "/<version>/bin (initdb, pg_ctl, createdb). "
        + "Install the Debian package: 'sudo apt-get install -y postgresql' (build/test.sh does this when run as root; "
        + "it also creates the 'postgres' user the server runs as when the tests run as root).";

    private const string Loopback = "127.0.0.1";
    private static readonly List<PostgresCluster> Started = [];

    private readonly string _installRoot;
    private string _bin = string.Empty;
    private string? _root;
    private bool _running;
    private int _disposed;

    static PostgresCluster()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAllStarted();
    }

    /// <summary>A cluster from <see cref="DefaultInstallRoot"/>, started by <see cref="InitializeAsync"/> (as an xunit fixture).</summary>
    public PostgresCluster()
        : this(DefaultInstallRoot)
    {
    }

    private PostgresCluster(string installRoot)
    {
        _installRoot = installRoot;
    }

    /// <summary>The host the server listens on (loopback only).</summary>
    public string Host => Loopback;

    /// <summary>The TCP port the server listens on; 0 until started.</summary>
    public int Port { get; private set; }

    /// <summary>The process id of the server (the postmaster) while it runs; null otherwise.</summary>
    public int? ServerProcessId { get; private set; }

    /// <summary>The cluster's temporary directory (data directory, socket and server log beneath it); null until started.</summary>
    public string? Directory => _root;

    /// <summary>The server's major version (the directory name under <see cref="DefaultInstallRoot"/>, e.g. 15).</summary>
    public int Version { get; private set; }

    /// <summary>The connection string of the maintenance database <c>postgres</c>.</summary>
    public string AdminConnectionString => ConnectionStringFor("postgres");

    private string DataDirectory => Path.Combine(_root!, "data");

    private string LogFile => Path.Combine(_root!, "server.log");

    /// <summary>
    /// Starts a throwaway cluster of the caller's own. <paramref name="installRoot"/> is where the versioned
    /// <c>&lt;version&gt;/bin</c> directories are looked up (<see cref="DefaultInstallRoot"/> unless given).
    /// </summary>
    /// <exception cref="InvalidOperationException">The binaries are missing (<see cref="InstallMessage"/>), or the server did not start (with its log).</exception>
    public static async Task<PostgresCluster> StartAsync(string? installRoot = null, CancellationToken cancellationToken = default)
    {
        var cluster = new PostgresCluster(installRoot ?? DefaultInstallRoot);
        try
        {
            await cluster.StartCoreAsync(cancellationToken).ConfigureAwait(false);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>An Npgsql connection string for <paramref name="database"/> on this server, as <see cref="UserName"/>.</summary>
    public string ConnectionStringFor(string database)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(database);
        return string.Create(CultureInfo.InvariantCulture, $"Host={Loopback};Port={Port};Username={UserName};Database={database};Timeout=30");
    }

    /// <summary>Creates a new empty database with a unique name (prefix <paramref name="prefix"/>) and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string prefix = "test", CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(prefix);
        RequireRunning();
        var name = prefix + "_" + Guid.NewGuid().ToString("N");
        await RunAsync(
            Path.Combine(_bin, "createdb"),
            ["-h", Loopback, "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", UserName, "-w", name],
            asServerUser: false,
            cancellationToken).ConfigureAwait(false);
        return ConnectionStringFor(name);
    }

    /// <summary>The server's log so far (for failure messages).</summary>
    public string ServerLog()
    {
        try
        {
            return _root is not null && File.Exists(LogFile) ? File.ReadAllText(LogFile) : string.Empty;
        }
        catch (IOException)
        {
            return string.Empty;
        }
        catch (UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    /// <summary>Starts the cluster (xunit fixture life cycle).</summary>
    public Task InitializeAsync() => StartCoreAsync(CancellationToken.None);

    /// <summary>Stops the server at once (<c>pg_ctl stop -m immediate</c>) and deletes the temporary directory.</summary>
    public async Task DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        lock (Started)
        {
            Started.Remove(this);
        }

        await StopAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync().ConfigureAwait(false);

    /// <inheritdoc />
    public override string ToString() => $"postgres {Version} {Loopback}:{Port} (pid {ServerProcessId})";

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        if (_root is not null)
        {
            throw new InvalidOperationException("The cluster was already started.");
        }

        (_bin, Version) = FindBinaries(_installRoot) ?? throw new InvalidOperationException(InstallMessage + $" (looked in {_installRoot})");
        _root = System.IO.Directory.CreateTempSubdirectory(ProcessMarker + "-").FullName;
        if (Environment.IsPrivilegedProcess)
        {
            await RunAsync("chown", ["postgres:postgres", _root], asServerUser: false, cancellationToken).ConfigureAwait(false);
        }

        await RunAsync(
            Path.Combine(_bin, "initdb"),
            ["-D", DataDirectory, "-U", UserName, "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync"],
            asServerUser: true,
            cancellationToken).ConfigureAwait(false);

        // A free port can be taken between choosing it and the server binding it; try a few.
        for (var attempt = 1; ; attempt++)
        {
            Port = RedisServer.FreeLoopbackPort();
            var options = string.Create(
                CultureInfo.InvariantCulture,
                $"-p {Port} -k {_root} -c listen_addresses={Loopback} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300");
            try
            {
                await RunAsync(
                    Path.Combine(_bin, "pg_ctl"),
                    ["-D", DataDirectory, "-l", LogFile, "-o", options, "-w", "-t", "60", "start"],
                    asServerUser: true,
                    cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                // Most likely the port: the next attempt takes another one.
            }
        }

        _running = true;
        lock (Started)
        {
            Started.Add(this);
        }

        // The postmaster's pid is the first line of postmaster.pid; the watchdog SIGKILLs it if this process dies
        // without disposing the cluster (the server's own processes end with it).
        var pidFile = Path.Combine(DataDirectory, "postmaster.pid");
        var firstLine = (await File.ReadAllLinesAsync(pidFile, cancellationToken).ConfigureAwait(false)).FirstOrDefault();
        if (int.TryParse(firstLine, NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid))
        {
            ServerProcessId = pid;
            ChildProcesses.KillWhenOwnerExits(Environment.ProcessId, pid);
        }
    }

    private async Task StopAsync()
    {
        if (_running)
        {
            _running = false;
            try
            {
                await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", DataDirectory, "-m", "immediate", "-w", "stop"], asServerUser: true, CancellationToken.None)
                    .ConfigureAwait(false);
            }
            catch (InvalidOperationException) when (ServerProcessId is { } pid)
            {
                // pg_ctl could not stop it: kill the postmaster (its processes follow).
                TryKill(pid);
            }

            ServerProcessId = null;
        }

        if (_root is not null)
        {
            try
            {
                System.IO.Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
                // Left to the OS's temp cleanup.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    private void RequireRunning()
    {
        if (!_running)
        {
            throw new InvalidOperationException("The PostgreSQL cluster is not running: start it first (StartAsync, or use it as an xunit fixture).");
        }
    }

    private static (string Bin, int Version)? FindBinaries(string installRoot)
    {
        if (!System.IO.Directory.Exists(installRoot))
        {
            return null;
        }

        return System.IO.Directory.GetDirectories(installRoot)
            .Select(d => (Version: int.TryParse(Path.GetFileName(d), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : -1, Bin: Path.Combine(d, "bin")))
            .Where(x => x.Version > 0 && new[] { "initdb", "pg_ctl", "createdb" }.All(tool => File.Exists(Path.Combine(x.Bin, tool))))
            .OrderByDescending(x => x.Version)
            .Select(x => ((string Bin, int Version)?)(x.Bin, x.Version))
            .FirstOrDefault();
    }

    private async Task RunAsync(string program, IReadOnlyList<string> arguments, bool asServerUser, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (asServerUser && Environment.IsPrivilegedProcess)
        {
            start.FileName = "runuser";
            foreach (var argument in (string[])["-u", "postgres", "--", program])
            {
                start.ArgumentList.Add(argument);
            }
        }
        else
        {
            start.FileName = program;
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => ChildProcesses.Append(output, e.Data, 8192);
        process.ErrorDataReceived += (_, e) => ChildProcesses.Append(output, e.Data, 8192);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{Path.GetFileName(program)} {string.Join(' ', arguments)} exited with {process.ExitCode}: {ChildProcesses.Snapshot(output)}\n{ServerLog()}");
        }
    }

    private static void TryKill(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
        }
        catch (ArgumentException)
        {
            // Already gone.
        }
        catch (InvalidOperationException)
        {
        }
    }

    private static void StopAllStarted()
    {
        PostgresCluster[] clusters;
        lock (Started)
        {
            clusters = [.. Started];
        }

        foreach (var cluster in clusters)
        {
            cluster.DisposeAsync().GetAwaiter().GetResult();
        }
    }
}
