using System.Diagnostics;

namespace Strata.Benchmarks.KestrelFastApi;

/// <summary>
/// Debian's Python with FastAPI, Uvicorn, uvloop and httptools from Debian's packages (<c>/usr/bin/python3</c>, not a
/// <c>python3</c> earlier on the PATH, which would not see them). When an import fails and the process runs as root,
/// the packages are installed with apt-get, once per process, as build/test.sh installs redis-server; otherwise the
/// benchmark fails with the command to run.
/// </summary>
internal static class PythonStack
{
    /// <summary>The interpreter the packages install into.</summary>
    public const string Interpreter = "/usr/bin/python3";

    /// <summary>The Debian packages: FastAPI 0.92 and Uvicorn 0.17.6 on Debian 12, with uvloop and httptools.</summary>
    public static readonly string[] Packages = ["python3-fastapi", "python3-uvicorn", "python3-uvloop", "python3-httptools"];

    private const string Imports = "import fastapi, uvicorn, uvloop, httptools";

    private static readonly Lazy<string> Versions = new(EnsureInstalled, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Makes sure the packages are there (installing them if need be) and returns their versions.</summary>
    /// <returns>A line such as <c>python 3.11.2, fastapi 0.92.0, uvicorn 0.17.6, ...</c>.</returns>
    public static string Ensure() => Versions.Value;

    private static string EnsureInstalled()
    {
        if (!File.Exists(Interpreter) || Run(Interpreter, ["-c", Imports], TimeSpan.FromSeconds(60)).ExitCode != 0)
        {
            if (!Environment.IsPrivilegedProcess || !File.Exists("/usr/bin/apt-get"))
            {
                throw new InvalidOperationException(
                    $"The FastAPI benchmark needs Debian's {string.Join(", ", Packages)}. Install them with 'sudo apt-get install -y {string.Join(' ', Packages)}' (the benchmark and build/test.sh do this when run as root).");
            }

            Console.WriteLine($"// installing {string.Join(' ', Packages)} (apt-get)");
            Check(Run("/usr/bin/apt-get", ["update", "-qq"], TimeSpan.FromMinutes(5)), "apt-get update");
            Check(Run("/usr/bin/apt-get", ["install", "-y", "-qq", "--no-install-recommends", .. Packages], TimeSpan.FromMinutes(10)), "apt-get install");
        }

        var versions = Run(
            Interpreter,
            ["-c", Imports + "; import platform; print(f'python {platform.python_version()}, fastapi {fastapi.__version__}, uvicorn {uvicorn.__version__}, uvloop {uvloop.__version__}, httptools {httptools.__version__}')"],
            TimeSpan.FromSeconds(60));
        Check(versions, "the Python imports");
        return versions.Output.Trim();
    }

    private static void Check((int ExitCode, string Output) result, string what)
    {
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{what} failed (exit code {result.ExitCode}): {result.Output}");
        }
    }

    private static (int ExitCode, string Output) Run(string file, IEnumerable<string> arguments, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"'{file}' did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            return (-1, $"no exit within {timeout.TotalSeconds:F0} s");
        }

        return (process.ExitCode, output.GetAwaiter().GetResult() + error.GetAwaiter().GetResult());
    }
}
