using System.Collections.Concurrent;
using System.Diagnostics;

namespace Strata.Sample.Api.Tests.Infrastructure;

/// <summary>
/// The built sample host (<c>dotnet Strata.Sample.Api.dll ...</c>) as a child process, with its output captured.
/// Disposing kills it (and anything it started) if it is still running.
/// </summary>
public sealed class HostProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private HostProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Capture(e.Data);
        _process.ErrorDataReceived += (_, e) => Capture(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Output => string.Join('\n', _output);

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public int Id => _process.Id;

    /// <summary>The host's dll, built beside this test project in the same configuration.</summary>
    public static string HostDll
    {
        get
        {
            var baseDirectory = new DirectoryInfo(AppContext.BaseDirectory);
            var configuration = baseDirectory.Parent!.Name;          // bin/{Configuration}/net10.0
            var framework = baseDirectory.Name;
            var root = baseDirectory;
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "Library.sln")))
            {
                root = root.Parent;
            }

            root.Should().NotBeNull("the tests run inside the repository");
            var dll = Path.Combine(root!.FullName, "samples", "Strata.Sample.Api", "bin", configuration, framework, "Strata.Sample.Api.dll");
            File.Exists(dll).Should().BeTrue($"the sample host is built at {dll}");
            return dll;
        }
    }

    public static HostProcess Start(IReadOnlyDictionary<string, string> environment, params string[] args)
    {
        var dll = HostDll;
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

        // A clean environment for the host: nothing of the test runner's ASP.NET Core settings leaks in.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("ASPNETCORE_", StringComparison.Ordinal) || k.StartsWith("DOTNET_ENVIRONMENT", StringComparison.Ordinal) || k.StartsWith("OTEL_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        return new HostProcess(Process.Start(start)!);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Output.Contains(text, StringComparison.Ordinal) && DateTime.UtcNow < deadline && !_process.HasExited)
        {
            await Task.Delay(50);
        }

        Output.Should().Contain(text, $"the host prints it (output so far:\n{Output})");
    }

    /// <summary>SIGTERM, as a container runtime stops a container.</summary>
    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
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

    private void Capture(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }
}
