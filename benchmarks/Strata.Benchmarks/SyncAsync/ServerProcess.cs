using System.Diagnostics;
using System.Globalization;
using System.Reflection;

namespace Strata.Benchmarks.SyncAsync;

/// <summary>
/// Starts <see cref="SyncAsyncServer"/> in a child process: <c>dotnet exec</c> of this assembly with the runtime
/// configuration and dependency file of the entry assembly (the benchmark's own process, whether BenchmarkDotNet
/// generated it or it is Strata.Benchmarks itself), so the child loads exactly what the benchmark loaded.
/// </summary>
internal sealed class ServerProcess : IDisposable
{
    private readonly Process _process;
    private readonly HttpClient _client;
    private readonly Thread _reader;
    private volatile StatsLine? _latest;

    private ServerProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
        _client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
        _reader = new Thread(ReadStats) { IsBackground = true, Name = "server stats reader" };
        _reader.Start();
    }

    public Uri Address { get; }

    /// <summary>The server's process id.</summary>
    public int ProcessId => _process.Id;

    /// <summary>The server process's CPU time so far (user and system, all its threads).</summary>
    public TimeSpan Cpu()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    public static ServerProcess Start()
    {
        var entry = Assembly.GetEntryAssembly()?.Location
            ?? throw new InvalidOperationException("No entry assembly: cannot find the runtime configuration for the server process.");
        var runtimeConfig = Path.ChangeExtension(entry, ".runtimeconfig.json");
        var deps = Path.ChangeExtension(entry, ".deps.json");
        var self = typeof(SyncAsyncServer).Assembly.Location;
        foreach (var file in new[] { runtimeConfig, deps, self })
        {
            if (!File.Exists(file))
            {
                throw new InvalidOperationException($"The server process needs '{file}', which does not exist.");
            }
        }

        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "exec", "--runtimeconfig", runtimeConfig, "--depsfile", deps, self, SyncAsyncServer.Argument })
        {
            start.ArgumentList.Add(argument);
        }

        // The runtime's defaults, as a host deployed without tuning has them: server GC (an ASP.NET Core app's
        // default), and no thread-pool settings inherited from whoever started the benchmark.
        start.Environment["DOTNET_gcServer"] = "1";
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("DOTNET_ThreadPool", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            start.Environment.Remove(name);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("The server process did not start.");
        var errors = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null && errors.Count < 100)
            {
                errors.Enqueue(e.Data);
            }
        };
        process.BeginErrorReadLine();
        var line = process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
        if (line is null || !line.StartsWith(SyncAsyncServer.ListeningPrefix, StringComparison.Ordinal))
        {
            process.Kill();
            process.WaitForExit();
            process.Dispose();
            throw new InvalidOperationException($"The server process did not announce its address (got '{line}'). {string.Join(Environment.NewLine, errors)}");
        }

        return new ServerProcess(process, new Uri(line[SyncAsyncServer.ListeningPrefix.Length..]));
    }

    /// <summary>
    /// Sends the request once, untimed, and checks its status: the first request of a process pays for the JIT of the
    /// whole pipeline, which is not what the load measures; a wrong status fails here with a clear message.
    /// </summary>
    public Task PrimeAsync(HttpRequestSpec request) => PrimeAsync(_client, request);

    /// <summary>Sends the request once through <paramref name="client"/> and checks its status.</summary>
    /// <param name="client">A client whose base address is the server.</param>
    /// <param name="request">The request.</param>
    /// <returns>A task.</returns>
    internal static async Task PrimeAsync(HttpClient client, HttpRequestSpec request)
    {
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(request.Path, UriKind.Relative));
        if (request.JsonBody is not null)
        {
            message.Content = new StringContent(request.JsonBody, System.Text.Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(message).ConfigureAwait(false);
        if ((int)response.StatusCode != request.ExpectedStatus)
        {
            throw new InvalidOperationException($"{request.Method} {request.Path}: expected status {request.ExpectedStatus}, got {(int)response.StatusCode}.");
        }
    }

    /// <summary>
    /// The server's thread-pool figures and job counts from its first <c>stats</c> line printed after this call
    /// (the server prints one every 50 ms from a thread of its own, so this works even when its pool is starved).
    /// </summary>
    public async Task<ServerStats> StatsAsync()
    {
        var asked = Stopwatch.GetTimestamp();
        var deadline = asked + (10 * Stopwatch.Frequency);
        while (true)
        {
            if (_latest is { } line && line.Received > asked)
            {
                return line.Stats;
            }

            if (Stopwatch.GetTimestamp() > deadline || _process.HasExited)
            {
                throw new InvalidOperationException("The server process printed no stats line for 10 s.");
            }

            await Task.Delay(5).ConfigureAwait(false);
        }
    }

    /// <summary>The server's CPU time and its latest stats line (at most 50 ms old), without waiting.</summary>
    public ServerSample Sample() => new(Cpu(), _latest?.Stats);

    private void ReadStats()
    {
        try
        {
            while (_process.StandardOutput.ReadLine() is { } text)
            {
                if (!text.StartsWith(SyncAsyncServer.StatsPrefix, StringComparison.Ordinal))
                {
                    continue;
                }

                var values = text[SyncAsyncServer.StatsPrefix.Length..].Split(' ').Select(p => p.Split('='))
                    .ToDictionary(p => p[0], p => long.Parse(p[1], CultureInfo.InvariantCulture), StringComparer.Ordinal);
                var stats = new ServerStats((int)values["threads"], (int)values["peak"], values["pending"], values["accepted"], values["done"]);
                _latest = new StatsLine(stats, Stopwatch.GetTimestamp());
            }
        }
        catch (InvalidOperationException)
        {
            // The process was disposed while reading.
        }
    }

    private sealed record StatsLine(ServerStats Stats, long Received);

    public void Dispose()
    {
        _client.Dispose();
        if (!_process.HasExited)
        {
            _process.StandardInput.Close();  // the server's signal to stop
            if (!_process.WaitForExit(5000))
            {
                _process.Kill();
                _process.WaitForExit();
            }
        }

        _reader.Join(TimeSpan.FromSeconds(5));
        _process.Dispose();
    }

    internal static string DotnetHost()
    {
        var current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet")
        {
            return current;
        }

        var root = Environment.GetEnvironmentVariable("DOTNET_ROOT");
        var candidate = root is null ? null : Path.Combine(root, "dotnet");
        return candidate is not null && File.Exists(candidate) ? candidate : "dotnet";
    }
}

/// <summary>The server's CPU time so far and its latest stats (null before the first line).</summary>
internal sealed record ServerSample(TimeSpan Cpu, ServerStats? Stats);

/// <summary>What the server reports.</summary>
/// <param name="Threads">Thread-pool threads now (<see cref="ThreadPool.ThreadCount"/>).</param>
/// <param name="PeakThreads">The most thread-pool threads seen since the server started.</param>
/// <param name="Pending">Work items waiting in the thread pool's queues.</param>
/// <param name="JobsAccepted">Jobs the 202 endpoint accepted.</param>
/// <param name="JobsDone">Jobs whose handler finished.</param>
internal sealed record ServerStats(int Threads, int PeakThreads, long Pending, long JobsAccepted, long JobsDone);
