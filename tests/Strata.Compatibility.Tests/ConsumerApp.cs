using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Strata.Testing;

namespace Strata.Compatibility.Tests;

/// <summary>
/// An app made by <c>dotnet new</c> outside the repository, as a user makes one: its own folder, a nuget.config that
/// takes Strata.* from the local feed and everything else from the machine's <c>nuget.org</c> source.
/// </summary>
internal sealed partial class ConsumerApp
{
    private ConsumerApp(string directory, string name, string targetFramework)
    {
        Directory = directory;
        Name = name;
        TargetFramework = targetFramework;
    }

    public string Directory { get; }

    public string Name { get; }

    public string TargetFramework { get; private set; }

    public string ProjectPath => Path.Combine(Directory, Name + ".csproj");

    /// <summary><c>dotnet new {template} -f net10.0</c> in a folder of its own.</summary>
    public static async Task<ConsumerApp> CreateAsync(LocalFeed feed, string template, string name)
    {
        const string targetFramework = "net10.0";
        var directory = Path.Combine(feed.AppsDirectory, name);
        await Dotnet.RunAsync(feed.AppsDirectory, ["new", template, "-n", name, "-o", directory, "-f", targetFramework, "--no-restore"]);
        await File.WriteAllTextAsync(Path.Combine(directory, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="strata-local" value="{feed.Directory}" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="strata-local">
                  <package pattern="Strata.*" />
                </packageSource>
                <packageSource key="nuget.org">
                  <package pattern="*" />
                </packageSource>
              </packageSourceMapping>
            </configuration>
            """);
        return new ConsumerApp(directory, name, targetFramework);
    }

    /// <summary>The versions the template itself pinned, by package id.</summary>
    public IReadOnlyDictionary<string, string> TemplatePackages() =>
        XDocument.Load(ProjectPath).Descendants("PackageReference")
            .ToDictionary(e => (string)e.Attribute("Include")!, e => (string)e.Attribute("Version")!, StringComparer.OrdinalIgnoreCase);

    /// <summary>Adds package references to the project file, as <c>dotnet add package</c> would.</summary>
    public void AddPackages(IEnumerable<KeyValuePair<string, string>> packages)
    {
        var project = XDocument.Load(ProjectPath);
        var group = new XElement("ItemGroup");
        foreach (var (id, version) in packages)
        {
            group.Add(new XElement("PackageReference", new XAttribute("Include", id), new XAttribute("Version", version)));
        }

        project.Root!.Add(group);
        project.Save(ProjectPath);
    }

    /// <summary>Changes the project's target framework.</summary>
    public void SetTargetFramework(string targetFramework)
    {
        var project = XDocument.Load(ProjectPath);
        project.Descendants("TargetFramework").Single().Value = targetFramework;
        project.Save(ProjectPath);
        TargetFramework = targetFramework;
    }

    /// <summary>Replaces the template's Program.cs.</summary>
    public Task WriteProgramAsync(string text) => File.WriteAllTextAsync(Path.Combine(Directory, "Program.cs"), text);

    /// <summary>
    /// <c>dotnet build -c Release</c> with every warning an error, except NU1603: this machine's package source lacks
    /// some exact versions (Microsoft.OpenApi 2.12.0 behind the webapi template) and serves the next one.
    /// </summary>
    public async Task<string> BuildAsync()
    {
        var (exitCode, output) = await TryBuildAsync();
        exitCode.Should().Be(0, $"the {Name} app builds with warnings as errors:\n{Errors(output)}");
        return output;
    }

    /// <summary>The build of <see cref="BuildAsync"/>, returning its exit code and output instead of failing.</summary>
    public Task<(int ExitCode, string Output)> TryBuildAsync() =>
        Dotnet.TryRunAsync(Directory,
            ["build", ProjectPath, "-c", "Release", "-nologo", "-warnaserror", "-warnnotaserror:NU1603", "-p:TreatWarningsAsErrors=true", "-p:WarningsNotAsErrors=NU1603"],
            TimeSpan.FromMinutes(8));

    /// <summary>Starts the built app on a free loopback port; it prints the API key it created at start.</summary>
    public async Task<RunningApp> StartAsync(RedisServer redis)
    {
        var output = Path.Combine(Directory, "bin", "Release", TargetFramework);
        var start = Dotnet.NewStartInfo(output, [Path.Combine(output, Name + ".dll"), "--urls", "http://127.0.0.1:0", "--Redis", redis.ConnectionString]);
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start");
        ChildProcesses.KillWhenOwnerExits(Environment.ProcessId, process.Id);
        var app = new RunningApp(Name, process);
        await app.WaitUntilReadyAsync(TimeSpan.FromSeconds(60));
        return app;
    }

    /// <summary>The error lines of a build's output, or all of it when there are none.</summary>
    public static string Errors(string output)
    {
        var errors = output.Split('\n').Where(l => ErrorLine().IsMatch(l)).Distinct().ToArray();
        return errors.Length == 0 ? output : string.Join('\n', errors);
    }

    [GeneratedRegex(@"\b(error|warning) [A-Z]+[0-9]+")]
    private static partial Regex ErrorLine();
}

/// <summary>A consumer app running as a process of its own.</summary>
internal sealed partial class RunningApp : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<string> _key = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public RunningApp(string name, Process process)
    {
        Name = name;
        _process = process;
        _process.OutputDataReceived += (_, e) => OnLine(e.Data);
        _process.ErrorDataReceived += (_, e) => OnLine(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public string Name { get; }

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The API key the app created at start.</summary>
    public string Key { get; private set; } = null!;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public HttpClient CreateClient(bool withKey = true)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (withKey)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", Key);
        }

        return client;
    }

    public async Task WaitUntilReadyAsync(TimeSpan timeout)
    {
        var exited = _process.WaitForExitAsync();
        var ready = Task.WhenAll(_listening.Task, _key.Task);
        var first = await Task.WhenAny(ready, exited, Task.Delay(timeout));
        if (first != ready)
        {
            throw new InvalidOperationException($"{Name} did not start listening and print its key ({(first == exited ? "it exited" : "timed out")}):\n{Output}");
        }

        BaseAddress = await _listening.Task;
        Key = await _key.Task;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }

        var listening = ListeningLine().Match(line);
        if (listening.Success)
        {
            _listening.TrySetResult(new Uri(listening.Groups[1].Value));
        }

        const string KeyMarker = "COMPAT-KEY ";
        var key = line.IndexOf(KeyMarker, StringComparison.Ordinal);
        if (key >= 0)
        {
            _key.TrySetResult(line[(key + KeyMarker.Length)..].Trim());
        }
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}
