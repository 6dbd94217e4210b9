using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Strata.ApiKeys;
using Strata.Sample.Api.Security;
using Strata.Sample.Api.Tests.Infrastructure.Contract;

namespace Strata.Sample.Api.Tests.Infrastructure;

/// <summary>
/// The sample host in role all on real Kestrel (a free loopback port), in Development (so the demo key is made on first
/// run), with a SQLite file of its own in a temp directory, the offline model at zero latency, the console banner and
/// every log line captured. Every response its HttpClients receive is recorded and checked against the live
/// <c>/openapi/v1.json</c> (<see cref="ContractRecorder"/>, <see cref="OpenApiContract"/>): a mismatch that
/// <see cref="ContractAllowances"/> does not allow fails the test that received it.
/// </summary>
public class SampleApiFactory : WebApplicationFactory<Program>
{
    private readonly string _directory;
    private readonly bool _ownsDirectory;
    private readonly ConcurrentQueue<RecordedResponse> _responses = new();
    private readonly Lazy<Task<OpenApiContract>> _contract;

    public SampleApiFactory()
        : this(Path.Combine(Path.GetTempPath(), "strata-sample-tests", Guid.NewGuid().ToString("N")), ownsDirectory: true)
    {
    }

    /// <summary>A host on the database in <paramref name="directory"/>, which the caller deletes.</summary>
    internal SampleApiFactory(string directory)
        : this(directory, ownsDirectory: false)
    {
    }

    private SampleApiFactory(string directory, bool ownsDirectory)
    {
        _directory = directory;
        _ownsDirectory = ownsDirectory;
        _contract = new(LoadContractAsync);
        Directory.CreateDirectory(_directory);
        UseKestrel(0);
    }

    public string DatabasePath => Path.Combine(_directory, "data", "sample.db");

    public StringWriter ConsoleOutput { get; } = new();

    public CapturedLogs Logs { get; } = new();

    /// <summary>Set by a subclass to freeze time (rate limits); null keeps the system clock.</summary>
    protected virtual FakeTimeProvider? Time => null;

    /// <summary>More settings for a subclass (key, value).</summary>
    protected virtual IEnumerable<KeyValuePair<string, string>> Settings => [];

    /// <summary>The responses received so far through this factory's clients.</summary>
    public IReadOnlyCollection<RecordedResponse> Responses => _responses;

    /// <summary>A client without a key (the base class's, with the contract recorder).</summary>
    public new HttpClient CreateClient() => CreateClient(apiKey: null);

    /// <summary>Like the base class's client (redirects followed, cookies kept), recording every response.</summary>
    public HttpClient CreateClient(string? apiKey)
    {
        StartServer();   // on Kestrel, ClientOptions.BaseAddress is the server's address once it runs
        var client = CreateDefaultClient(
            ClientOptions.BaseAddress,
            new RedirectHandler(ClientOptions.MaxAutomaticRedirections),
            new CookieContainerHandler(),
            new ContractRecorder(_responses, () => _contract.Value));
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        return client;
    }

    public async Task<string> CreateKeyAsync(string[] scopes, string? plan = null, string owner = "tests")
    {
        StartServer();
        var manager = Services.GetRequiredService<IApiKeyManager>();
        var created = await manager.CreateAsync(new ApiKeyCreateRequest
        {
            Owner = owner,
            Name = $"test-{Guid.NewGuid():N}",
            Scopes = scopes,
            Metadata = plan is null ? null : new Dictionary<string, string> { [SampleScopes.PlanMetadata] = plan },
        });
        return created.Key;
    }

    /// <summary>The demo key printed in the first-run banner.</summary>
    public string DemoKey()
    {
        StartServer();
        var match = Regex.Match(ConsoleOutput.ToString(), @"sk_sample_[0-9A-Za-z]{49}");
        match.Success.Should().BeTrue("the first run in Development prints a demo key");
        return match.Value;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("ConnectionStrings:Database", $"Data Source={DatabasePath}");
        builder.UseSetting("Ai:SimulatedLatency", "00:00:00");
        foreach (var (key, value) in Settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(Logs).SetMinimumLevel(LogLevel.Trace));
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<SampleConsole>();
            services.AddSingleton(new SampleConsole(TextWriter.Synchronized(ConsoleOutput)));
            if (Time is { } time)
            {
                services.RemoveAll<TimeProvider>();
                services.AddSingleton<TimeProvider>(time);
            }
        });
    }

    /// <summary>Every mismatch between the responses received so far and the live document, allowed or not.</summary>
    public async Task<IReadOnlyList<ContractMismatch>> CheckResponsesAsync()
    {
        var contract = await _contract.Value;
        return _responses.SelectMany(contract.Check).ToList();
    }

    /// <summary>The live document, fetched once, by a client that records nothing.</summary>
    private async Task<OpenApiContract> LoadContractAsync()
    {
        StartServer();
        using var client = CreateDefaultClient(ClientOptions.BaseAddress);
        return new OpenApiContract(await client.GetStringAsync("/openapi/v1.json"));
    }

    protected override void Dispose(bool disposing)
    {
        try
        {
            base.Dispose(disposing);
        }
        finally
        {
            DeleteDirectory(disposing);
        }
    }

    private void DeleteDirectory(bool disposing)
    {
        if (disposing && _ownsDirectory)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // A file still open on a slow shutdown: the temp directory is cleaned by the OS.
            }
        }
    }
}

internal static class HttpExtensions
{
    public static Task<HttpResponseMessage> PostTextAsync(this HttpClient client, string path, string text)
        => client.PostAsJsonAsync(path, new { text });
}
