using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Strata.Testing;

namespace Strata.Reliability.Tests.Infrastructure;

/// <summary>
/// One run of the built sample host (<c>dotnet Strata.Sample.Api.dll [args]</c>) as a child process: stdout and stderr
/// captured line by line, SIGTERM and SIGKILL, its resident memory from <c>/proc/&lt;pid&gt;/status</c>. Disposing kills
/// it if it still runs; a watchdog shell kills it too if the test process dies without disposing it.
/// </summary>
public sealed class SampleProcess : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private SampleProcess(Process process, string name, Uri? baseAddress)
    {
        _process = process;
        Name = name;
        BaseAddress = baseAddress;
        _process.OutputDataReceived += (_, e) => Capture(e.Data);
        _process.ErrorDataReceived += (_, e) => Capture(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>A label for messages (role and port).</summary>
    public string Name { get; }

    /// <summary><c>http://127.0.0.1:&lt;port&gt;</c> when started with a URL; null for a CLI verb.</summary>
    public Uri? BaseAddress { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Everything the process printed so far, stdout and stderr interleaved as received.</summary>
    public string Output => string.Join('\n', _lines);

    /// <summary>The built sample dll, in the configuration this test project was built in.</summary>
    public static string SampleDll => BuiltDll("Strata.Sample.Api");

    /// <summary>The built gateway dll (samples/Strata.Sample.Gateway), in the same configuration.</summary>
    public static string GatewayDll => BuiltDll("Strata.Sample.Gateway");

    private static string BuiltDll(string project)
    {
        var bin = new DirectoryInfo(AppContext.BaseDirectory);      // tests/Strata.Reliability.Tests/bin/<Configuration>/<tfm>/
        var configuration = bin.Parent!.Name;
        var framework = bin.Name;
        var root = bin;
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Library.sln")))
        {
            root = root.Parent;
        }

        if (root is null)
        {
            throw new InvalidOperationException($"No Library.sln above {AppContext.BaseDirectory}: the tests run inside the repository.");
        }

        var dll = Path.Combine(root.FullName, "samples", project, "bin", configuration, framework, project + ".dll");
        return File.Exists(dll)
            ? dll
            : throw new InvalidOperationException($"{project} is not built at {dll}: build this test project (it builds the samples first).");
    }

    /// <summary>Starts a role listening on a free loopback port; call <see cref="WaitUntilReadyAsync"/> next.</summary>
    public static SampleProcess StartRole(string role, IReadOnlyDictionary<string, string> environment)
    {
        var port = FreePort();
        var address = new Uri($"http://127.0.0.1:{port}");
        var withUrl = new Dictionary<string, string>(environment) { ["ASPNETCORE_URLS"] = address.ToString().TrimEnd('/') };
        return Start(SampleDll, $"{role}:{port}", address, withUrl, "--role", role);
    }

    /// <summary>
    /// Starts the gateway (samples/Strata.Sample.Gateway) with <paramref name="environment"/>, which names its HTTPS
    /// endpoint and its api nodes; it serves TLS only, so readiness is the caller's to check with a client that trusts
    /// its certificate.
    /// </summary>
    public static SampleProcess StartGateway(Uri address, IReadOnlyDictionary<string, string> environment)
        => Start(GatewayDll, $"gateway:{address.Port}", address, environment);

    /// <summary>Runs a CLI verb (e.g. <c>keys create ...</c>).</summary>
    public static SampleProcess StartVerb(IReadOnlyDictionary<string, string> environment, params string[] args)
        => Start(SampleDll, string.Join(' ', args.Take(2)), null, environment, args);

    /// <summary>
    /// Polls <c>/health/ready</c> until 200; fails with the process's output if it exits or is not ready within
    /// <paramref name="timeout"/> (90 s by default). Each probe may take up to a minute: a process starting on a busy
    /// 2-core machine can take longer than a few seconds for its first readiness check, and a probe the client gives up
    /// on is logged by the host as an unhealthy check (an error line that the tests would rightly count).
    /// </summary>
    public async Task WaitUntilReadyAsync(TimeSpan? timeout = null)
    {
        if (BaseAddress is null)
        {
            throw new InvalidOperationException($"{Name} serves no HTTP.");
        }

        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var deadline = timeout ?? ReadyTimeout;
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < deadline && !HasExited)
        {
            try
            {
                using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        throw new InvalidOperationException($"{Name} never became ready (exited: {HasExited}). Output:\n{Output}");
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Name} did not exit within {timeout}. Output:\n{Output}");
        }

        return _process.ExitCode;
    }

    /// <summary>SIGTERM, as a container runtime or systemd stops a service.</summary>
    public void Terminate() => Signal("TERM");

    /// <summary>SIGKILL: no chance to clean up.</summary>
    public void Kill() => Signal("KILL");

    /// <summary>Resident set size in bytes (<c>VmRSS</c> of <c>/proc/&lt;pid&gt;/status</c>).</summary>
    public long ResidentBytes()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kilobytes = line["VmRSS:".Length..].Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
                return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"No VmRSS for {Name} (pid {_process.Id}).");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static SampleProcess Start(string dll, string name, Uri? baseAddress, IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // Nothing of the test runner's own hosting settings reaches the child.
        foreach (var variable in start.Environment.Keys
                     .Where(k => k.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || k.StartsWith("DOTNET_ENVIRONMENT", StringComparison.Ordinal) || k.StartsWith("OTEL_", StringComparison.Ordinal))
                     .ToList())
        {
            start.Environment.Remove(variable);
        }

        foreach (var (variable, value) in environment)
        {
            start.Environment[variable] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        ChildProcesses.KillWhenOwnerExits(Environment.ProcessId, process.Id);
        return new SampleProcess(process, name, baseAddress);
    }

    private void Signal(string signal)
    {
        if (_process.HasExited)
        {
            return;
        }

        using var kill = Process.Start("kill", [$"-{signal}", _process.Id.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    private void Capture(string? line)
    {
        if (line is not null)
        {
            _lines.Enqueue(line);
        }
    }
}
