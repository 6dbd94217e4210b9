using System.Text.RegularExpressions;

namespace Strata.Reliability.Tests.Infrastructure;

/// <summary>
/// One deployment of the sample: a temporary folder with one SQLite file, an optional Redis connection string, the
/// environment every process of it shares, and every process it started (all killed on dispose, the folder removed).
/// </summary>
public sealed partial class SampleDeployment : IAsyncDisposable
{
    private static readonly TimeSpan VerbTimeout = TimeSpan.FromSeconds(90);

    private readonly string _directory;
    private readonly List<SampleProcess> _processes = [];

    public SampleDeployment(string? redisConnectionString = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        _directory = Path.Combine(Path.GetTempPath(), "strata-reliability", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        Environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ConnectionStrings__Database"] = $"Data Source={Path.Combine(_directory, "sample.db")}",
            ["Ai__SimulatedLatency"] = "00:00:00.010",
            // The request log of ASP.NET Core stays at Warning (appsettings.json); the sample's own logs stay on.
        };
        if (redisConnectionString is not null)
        {
            Environment["ConnectionStrings__Redis"] = redisConnectionString;
        }

        foreach (var (name, value) in settings ?? new Dictionary<string, string>())
        {
            Environment[name] = value;
        }
    }

    public Dictionary<string, string> Environment { get; }

    /// <summary>The deployment's temporary folder (the SQLite file; anything else a test writes for it), removed on dispose.</summary>
    public string Folder => _directory;

    public IReadOnlyList<SampleProcess> Processes => _processes;

    /// <summary>Creates a key with the <c>keys create</c> verb (which migrates the database first) and returns the secret.</summary>
    public async Task<string> CreateKeyAsync(string name, string scopes, string? plan = null)
    {
        string[] args = plan is null
            ? ["keys", "create", "--name", name, "--scopes", scopes]
            : ["keys", "create", "--name", name, "--scopes", scopes, "--plan", plan];
        await using var verb = SampleProcess.StartVerb(Environment, args);
        var exit = await verb.WaitForExitAsync(VerbTimeout);
        if (exit != 0)
        {
            throw new InvalidOperationException($"keys create exited {exit}:\n{verb.Output}");
        }

        var key = SecretPattern().Match(verb.Output).Value;
        return key.Length > 0 ? key : throw new InvalidOperationException($"keys create printed no key:\n{verb.Output}");
    }

    /// <summary>Starts a role and waits until it is ready.</summary>
    public async Task<SampleProcess> StartAsync(string role, IReadOnlyDictionary<string, string>? extra = null)
    {
        var environment = new Dictionary<string, string>(Environment);
        foreach (var (name, value) in extra ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }

        var process = SampleProcess.StartRole(role, environment);
        _processes.Add(process);
        await process.WaitUntilReadyAsync();
        return process;
    }

    /// <summary>Starts the gateway in front of this deployment's nodes; <paramref name="environment"/> names its endpoint and nodes.</summary>
    public SampleProcess StartGateway(Uri address, IReadOnlyDictionary<string, string> environment)
    {
        var process = SampleProcess.StartGateway(address, environment);
        _processes.Add(process);
        return process;
    }

    /// <summary>
    /// A deployment on PostgreSQL instead of the SQLite file: <c>Database__Provider=Postgres</c> and
    /// <c>ConnectionStrings__Database</c> = <paramref name="connectionString"/> (an Npgsql connection string, e.g. from
    /// Strata.Testing's <c>PostgresCluster.CreateDatabaseAsync</c>); <paramref name="settings"/> as in the constructor.
    /// </summary>
    public static SampleDeployment OnPostgres(string connectionString, string? redisConnectionString = null, IReadOnlyDictionary<string, string>? settings = null)
    {
        var merged = new Dictionary<string, string>(settings ?? new Dictionary<string, string>())
        {
            ["Database__Provider"] = "Postgres",
            ["ConnectionStrings__Database"] = connectionString,
        };
        return new SampleDeployment(redisConnectionString, merged);
    }

    /// <summary>
    /// Starts every role at the same moment (all processes launched before any is waited for, e.g. so they migrate an
    /// empty database concurrently), then waits until each is ready. The processes come back in the order of <paramref name="roles"/>.
    /// </summary>
    public async Task<IReadOnlyList<SampleProcess>> StartTogetherAsync(params string[] roles)
    {
        var started = roles.Select(role => SampleProcess.StartRole(role, Environment)).ToList();
        _processes.AddRange(started);
        await Task.WhenAll(started.Select(process => process.WaitUntilReadyAsync(TimeSpan.FromMinutes(3))));
        return started;
    }

    /// <summary>Every process's output, labelled, for failure messages.</summary>
    public string Outputs() => string.Join("\n\n", _processes.Select(p => $"--- {p.Name} (pid {p.Id}) ---\n{p.Output}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await process.DisposeAsync();
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Left to the OS's temp cleanup.
        }
    }

    [GeneratedRegex("sk_sample_[0-9A-Za-z]{49}")]
    private static partial Regex SecretPattern();
}
