using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Strata.Benchmarks.SyncAsync;

namespace Strata.Benchmarks.KestrelFastApi;

/// <summary>
/// Uvicorn serving <c>fastapi_app.py</c> (copied next to this assembly) on a free loopback port, with one worker or
/// several (Uvicorn's own supervisor: worker processes that accept on one shared socket). Ready once the socket listens
/// and every worker has logged its application start-up, so that the load's connections can reach all of them. Stops when its standard
/// input closes, as the Kestrel host does; killed with its workers if it has not stopped after 5 s.
/// </summary>
internal sealed class UvicornProcess : IStackServer
{
    private const string StartupComplete = "Application startup complete.";

    // Logged once the socket listens: by a single worker after its start-up, by the supervisor before its workers start.
    private const string Listening = "Uvicorn running on ";

    private readonly Process _process;
    private readonly HttpClient _client;

    private UvicornProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
        _client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
    }

    public Uri Address { get; }

    public int ProcessId => _process.Id;

    /// <summary>The first start-up lines of the last server started (the event loop and HTTP parser each worker runs).</summary>
    public static string? LastImplementations { get; private set; }

    public static UvicornProcess Start(int workers)
    {
        PythonStack.Ensure();
        var script = Path.Combine(Path.GetDirectoryName(typeof(UvicornProcess).Assembly.Location)!, "KestrelFastApi", "fastapi_app.py");
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"'{script}' does not exist (the project copies it to its output).");
        }

        var port = FreePort();
        var start = new ProcessStartInfo(PythonStack.Interpreter)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { script, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--workers", workers.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        var process = Process.Start(start) ?? throw new InvalidOperationException("Uvicorn did not start.");
        var lines = new ConcurrentQueue<string>();
        var started = 0;
        var listening = 0;
        void Read(object? sender, DataReceivedEventArgs e)
        {
            if (e.Data is null)
            {
                return;
            }

            if (lines.Count < 200)
            {
                lines.Enqueue(e.Data);
            }

            if (e.Data.Contains(StartupComplete, StringComparison.Ordinal))
            {
                Interlocked.Increment(ref started);
            }
            else if (e.Data.Contains(Listening, StringComparison.Ordinal))
            {
                Volatile.Write(ref listening, 1);
            }
        }

        process.ErrorDataReceived += Read;
        process.OutputDataReceived += Read;
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var deadline = Stopwatch.GetTimestamp() + (60 * Stopwatch.Frequency);
        while (Volatile.Read(ref started) < workers || Volatile.Read(ref listening) == 0)
        {
            if (process.HasExited || Stopwatch.GetTimestamp() > deadline)
            {
                Stop(process);
                throw new InvalidOperationException($"Uvicorn ({workers} workers, port {port}) did not start: {string.Join(Environment.NewLine, lines)}");
            }

            Thread.Sleep(20);
        }

        LastImplementations = string.Join("; ", lines.Where(l => l.StartsWith("fastapi_app:", StringComparison.Ordinal)).Distinct(StringComparer.Ordinal));
        return new UvicornProcess(process, new Uri($"http://127.0.0.1:{port}"));
    }

    public Task PrimeAsync(HttpRequestSpec request) => ServerProcess.PrimeAsync(_client, request);

    public void Dispose()
    {
        _client.Dispose();
        Stop(_process);
    }

    private static void Stop(Process process)
    {
        if (!process.HasExited)
        {
            process.StandardInput.Close();  // the server's signal to stop
            if (!process.WaitForExit(5000))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }
        }

        process.Dispose();
    }

    /// <summary>A loopback port free now (Uvicorn binds it a moment later; another process taking it meanwhile fails the start).</summary>
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
