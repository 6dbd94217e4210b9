using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Strata.Reliability.Tests.Infrastructure;

namespace Strata.Reliability.Tests.Security;

/// <summary>One answer the scenario got: which case, the key it presented (if any), status, the headers that matter, body.</summary>
public sealed record Exchange(string Case, string? Presented, int Status, string? Challenge, string? RetryAfter, string? ContentType, string Body);

/// <summary>
/// One deployment of the BUILT sample, run once for the whole class: every log category at Trace (ASP.NET Core, Kestrel,
/// EF Core included), a pepper, a small rate-limit plan and a low brute-force threshold. It drives everything a key
/// touches: the <c>keys create</c> verb, admin create/list/rotate/revoke over HTTP, successful requests, the 401 matrix
/// (each failing case from its own loopback source address, so the brute-force guard does not turn it into a 429),
/// a 403, a job of another key, rate-limit and brute-force 429s, jobs, errors, raw malformed header lines; then stops
/// the host with SIGTERM (which flushes last-used times) and keeps every output and the database folder for the tests.
/// </summary>
public sealed class SecurityScenario : IAsyncLifetime
{
    public const int BruteForcePermits = 5;
    public const string UnknownJob = "/v1/jobs/default.00000000000000000000000000000000";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Long enough for the key's first use to come before its expiry on a slow machine; the rest of the run takes about as long.</summary>
    private static readonly TimeSpan ExpiringKeyLifetime = TimeSpan.FromSeconds(8);
    private readonly List<Exchange> _exchanges = [];
    private readonly List<string> _createResponses = [];
    private int _nextSourceAddress = 10;

    public SecurityScenario()
    {
        Pepper = RandomNumberGenerator.GetString("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", 48);
        Deployment = new SampleDeployment(settings: new Dictionary<string, string>
        {
            ["Logging__LogLevel__Default"] = "Trace",
            ["Logging__LogLevel__Microsoft"] = "Trace",
            ["Logging__LogLevel__Microsoft.AspNetCore"] = "Trace",
            ["Logging__LogLevel__Microsoft.AspNetCore.Server.Kestrel"] = "Trace",
            ["Logging__LogLevel__Microsoft.EntityFrameworkCore"] = "Trace",
            ["Logging__LogLevel__System"] = "Trace",
            ["ApiKeys__Pepper"] = Pepper,
            ["ApiKeys__BruteForce__PermitFailures"] = BruteForcePermits.ToString(CultureInfo.InvariantCulture),
            ["RateLimiting__Policies__per-key__Tiers__tiny"] = "3",
        });
    }

    public SampleDeployment Deployment { get; }

    public string Pepper { get; }

    /// <summary>Every real key the scenario made, by label (the one sent in a URL is <see cref="UrlKey"/>, kept apart).</summary>
    public Dictionary<string, string> Keys { get; } = new(StringComparer.Ordinal);

    /// <summary>Key ids by label.</summary>
    public Dictionary<string, string> Ids { get; } = new(StringComparer.Ordinal);

    /// <summary>A real key the scenario deliberately sends in a URL (query string): ASP.NET Core logs URLs, so it is not scanned for in logs.</summary>
    public string UrlKey { get; private set; } = "";

    /// <summary>The <c>keys create</c> verb's whole output.</summary>
    public string VerbOutput { get; private set; } = "";

    /// <summary>The host's whole output (stdout and stderr).</summary>
    public string HostOutput { get; private set; } = "";

    public int HostExitCode { get; private set; }

    public string DatabasePath { get; private set; } = "";

    public IReadOnlyList<Exchange> Exchanges => _exchanges;

    /// <summary>Bodies of the answers that are meant to carry a new key (admin create and rotate).</summary>
    public IReadOnlyList<string> CreateResponses => _createResponses;

    public Exchange this[string name] => _exchanges.Single(e => e.Case == name);

    public async Task InitializeAsync()
    {
        DatabasePath = Deployment.Environment["ConnectionStrings__Database"]["Data Source=".Length..];

        // The verb: creates the database and the admin key.
        await using (var verb = SampleProcess.StartVerb(Deployment.Environment, "keys", "create", "--name", "admin", "--scopes", "admin,analyze,jobs:write"))
        {
            var exit = await verb.WaitForExitAsync(TimeSpan.FromSeconds(90));
            VerbOutput = verb.Output;
            exit.Should().Be(0, VerbOutput);
        }

        Keys["admin"] = System.Text.RegularExpressions.Regex.Match(VerbOutput, "sk_sample_[0-9A-Za-z]{49}").Value;
        Keys["admin"].Should().NotBeEmpty(VerbOutput);

        var host = await Deployment.StartAsync("all");
        using var admin = Client(host.BaseAddress!, Keys["admin"]);

        // Admin over HTTP: create keys for every case.
        await CreateAsync(admin, "writer", ["jobs:write", "analyze"]);
        await CreateAsync(admin, "analyze-only", ["analyze"]);
        await CreateAsync(admin, "tiny", ["analyze", "jobs:write"], plan: "tiny");
        await CreateAsync(admin, "to-revoke", ["jobs:write"]);
        await CreateAsync(admin, "to-rotate", ["jobs:write"]);
        await CreateAsync(admin, "to-rotate-with-overlap", ["jobs:write"]);
        await CreateAsync(admin, "url", ["jobs:write"]);

        // A key that expires in a few seconds: used at once, and again after its expiry at the end of the run.
        var expiresAt = DateTimeOffset.UtcNow + ExpiringKeyLifetime;
        await CreateAsync(admin, "expiring", ["jobs:write"], expiresAt: expiresAt);
        await RecordAsync("valid expiring before", Keys["expiring"], UnknownJob);
        UrlKey = Keys["url"];
        Keys.Remove("url");

        await RecordAsync("admin list", admin, HttpMethod.Get, "/admin/keys", presented: Keys["admin"]);

        // Keys that work, before they are revoked, rotated or expire (also fills the caches that must then be invalidated).
        foreach (var label in new[] { "to-revoke", "to-rotate", "to-rotate-with-overlap", "writer" })
        {
            await RecordAsync($"valid {label} before", Keys[label], UnknownJob);
        }

        await RecordAsync("admin revoke", admin, HttpMethod.Delete, $"/admin/keys/{Ids["to-revoke"]}", presented: Keys["admin"]);
        await RotateAsync(admin, "to-rotate", overlapMinutes: 0);
        await RotateAsync(admin, "to-rotate-with-overlap", overlapMinutes: 60);
        await RecordAsync("admin rotate revoked key", admin, HttpMethod.Post, $"/admin/keys/{Ids["to-revoke"]}/rotate", presented: Keys["admin"]);
        await RecordAsync("admin create with unknown scope", admin, HttpMethod.Post, "/admin/keys", presented: Keys["admin"], json: new { name = "bad", scopes = new[] { "root" } });

        // Successful authentication, jobs and a sync analysis.
        await RecordAsync("valid", Keys["admin"], UnknownJob);
        await RecordAsync("valid lower-case header name", Keys["admin"], UnknownJob, header: "x-api-key");
        await RecordAsync("valid rotated successor", Keys["to-rotate successor"], UnknownJob);
        await RecordAsync("valid old key in overlap", Keys["to-rotate-with-overlap"], UnknownJob);
        await RecordAsync("valid overlap successor", Keys["to-rotate-with-overlap successor"], UnknownJob);
        await RecordAsync("analyze", admin, HttpMethod.Post, "/v1/analyze", presented: Keys["admin"], json: new { text = "The new queue is fast and reliable." });
        var submitted = await RecordAsync("job submit", admin, HttpMethod.Post, "/v1/jobs", presented: Keys["admin"], json: new { text = "Rate limits keep a shared service fair." });
        var jobId = SampleApi.JobId(submitted.Body);
        await RecordAsync("job status", admin, HttpMethod.Get, $"/v1/jobs/{jobId}", presented: Keys["admin"]);
        using (var writer = Client(host.BaseAddress!, Keys["writer"]))
        {
            await RecordAsync("another key's job", writer, HttpMethod.Get, $"/v1/jobs/{jobId}", presented: Keys["writer"]);
            await RecordAsync("another key's job cancel", writer, HttpMethod.Delete, $"/v1/jobs/{jobId}", presented: Keys["writer"]);
            await RecordAsync("writer submit", writer, HttpMethod.Post, "/v1/jobs", presented: Keys["writer"], json: new { text = "A quiet night on call." });
        }

        // Errors with a valid key.
        await RecordAsync("invalid json", admin, HttpMethod.Post, "/v1/analyze", presented: Keys["admin"], raw: "{not json");
        await RecordAsync("unknown job", admin, HttpMethod.Get, UnknownJob, presented: Keys["admin"]);

        // 403: valid keys without the scope.
        await RecordAsync("missing scope jobs:write", Keys["analyze-only"], UnknownJob);
        await RecordAsync("missing scope admin", Keys["writer"], "/admin/keys");

        // 401 matrix: each failing case from a loopback address of its own.
        var admin0 = Keys["admin"];
        await RecordAsync("no key", presented: null, UnknownJob);
        await RecordAsync("empty", "", UnknownJob);
        await RecordAsync("whitespace", "   ", UnknownJob);
        await RecordAsync("wrong prefix", KeyShapes.WellFormed("sk_live"), UnknownJob);
        await RecordAsync("wrong prefix, same secret", "sk_live_" + admin0["sk_sample_".Length..], UnknownJob);
        await RecordAsync("truncated", admin0[..^1], UnknownJob);
        await RecordAsync("prefix only", "sk_sample_", UnknownJob);
        await RecordAsync("too long", admin0 + "0", UnknownJob);
        await RecordAsync("bad character", admin0[..20] + "-" + admin0[21..], UnknownJob);
        await RecordAsync("bad checksum", admin0[..^1] + (admin0[^1] == '0' ? '1' : '0'), UnknownJob);
        await RecordAsync("unknown key of valid shape", KeyShapes.WellFormed(), UnknownJob);
        await RecordAsync("right prefix, wrong secret", KeyShapes.WrongSecret(admin0), UnknownJob);
        await RecordAsync("revoked", Keys["to-revoke"], UnknownJob);
        await RecordAsync("rotated away (no overlap)", Keys["to-rotate"], UnknownJob);
        await RecordAsync("two X-Api-Key values", $"{admin0}, {Keys["writer"]}", UnknownJob);
        await RecordAsync("key with a trailing comment", admin0 + " x", UnknownJob);
        await RecordAsync("Authorization: ApiKey", admin0, UnknownJob, header: "Authorization", scheme: "ApiKey");
        await RecordAsync("Authorization: Bearer", admin0, UnknownJob, header: "Authorization", scheme: "Bearer");
        foreach (var parameter in new[] { "api_key", "apikey", "key", "X-Api-Key", "access_token" })
        {
            await RecordAsync($"query string {parameter}", presented: UrlKey, $"{UnknownJob}?{parameter}={UrlKey}", header: null);
        }

        // Rate limit 429: the tiny plan allows 3 a minute.
        for (var i = 0; i < 5; i++)
        {
            await RecordAsync($"tiny plan #{i + 1}", Keys["tiny"], UnknownJob);
        }

        // Brute force 429: one address keeps sending unknown keys.
        var attacker = NextSourceAddress();
        for (var i = 0; i < BruteForcePermits + 2; i++)
        {
            await RecordAsync($"guess #{i + 1}", KeyShapes.WellFormed(), UnknownJob, source: attacker);
        }

        await RecordAsync("valid key from a blocked address", Keys["writer"], UnknownJob, source: attacker);

        // Malformed header lines carrying a real key: Kestrel refuses them (400) before any handler runs.
        await RawAsync(host.BaseAddress!, "raw: header without colon", admin0, $"X-Api-Key {admin0}");
        await RawAsync(host.BaseAddress!, "raw: stray carriage return", admin0, $"X-Api-Key: {admin0}\r");
        await RawAsync(host.BaseAddress!, "raw: control character", admin0, $"X-Api-Key: {admin0}\u0001");
        await RawAsync(host.BaseAddress!, "raw: key as header name", admin0, $"{admin0}: x");

        // The expiring key, after its expiry.
        var wait = expiresAt - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(500);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait);
        }

        await RecordAsync("expired", Keys["expiring"], UnknownJob);

        host.Terminate();
        HostExitCode = await host.WaitForExitAsync(Timeout);
        HostOutput = host.Output;
    }

    public async Task DisposeAsync() => await Deployment.DisposeAsync();

    /// <summary>An HTTP client presenting <paramref name="key"/> in X-Api-Key, connecting from <paramref name="source"/> (a loopback address).</summary>
    public static HttpClient Client(Uri baseAddress, string? key, IPAddress? source = null, string? header = "X-Api-Key", string? scheme = null)
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (source is not null)
        {
            handler.ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(source, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }

        var client = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = Timeout };
        if (key is not null && header is not null)
        {
            client.DefaultRequestHeaders.TryAddWithoutValidation(header, scheme is null ? key : $"{scheme} {key}").Should().BeTrue();
        }

        return client;
    }

    private IPAddress NextSourceAddress()
    {
        var n = Interlocked.Increment(ref _nextSourceAddress);
        return new IPAddress([127, 0, (byte)(n / 250), (byte)((n % 250) + 2)]);
    }

    private Uri BaseAddress => Deployment.Processes[0].BaseAddress!;

    private async Task<Exchange> RecordAsync(string name, string? presented, string path, string? header = "X-Api-Key", string? scheme = null, IPAddress? source = null)
    {
        using var client = Client(BaseAddress, presented, source ?? NextSourceAddress(), header, scheme);
        return await RecordAsync(name, client, HttpMethod.Get, path, presented);
    }

    private async Task<Exchange> RecordAsync(string name, HttpClient client, HttpMethod method, string path, string? presented, object? json = null, string? raw = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = JsonContent.Create(json);
        }
        else if (raw is not null)
        {
            request.Content = new StringContent(raw, Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request);
        var exchange = new Exchange(
            name,
            presented,
            (int)response.StatusCode,
            response.Headers.WwwAuthenticate.Count == 0 ? null : string.Join(", ", response.Headers.WwwAuthenticate),
            response.Headers.TryGetValues("Retry-After", out var retry) ? string.Join(",", retry) : null,
            response.Content.Headers.ContentType?.MediaType,
            await response.Content.ReadAsStringAsync());
        _exchanges.Add(exchange);
        return exchange;
    }

    private async Task CreateAsync(HttpClient admin, string label, string[] scopes, string? plan = null, DateTimeOffset? expiresAt = null)
    {
        var created = await RecordAsync($"admin create {label}", admin, HttpMethod.Post, "/admin/keys", presented: Keys["admin"], json: new { name = label, scopes, plan, expiresAt });
        created.Status.Should().Be(201, created.Body);
        _createResponses.Add(created.Body);
        using var body = JsonDocument.Parse(created.Body);
        Keys[label] = body.RootElement.GetProperty("key").GetString()!;
        Ids[label] = body.RootElement.GetProperty("record").GetProperty("id").GetString()!;
    }

    private async Task RotateAsync(HttpClient admin, string label, int overlapMinutes)
    {
        var rotated = await RecordAsync($"admin rotate {label}", admin, HttpMethod.Post, $"/admin/keys/{Ids[label]}/rotate?overlapMinutes={overlapMinutes}", presented: Keys["admin"]);
        rotated.Status.Should().Be(200, rotated.Body);
        _createResponses.Add(rotated.Body);
        using var body = JsonDocument.Parse(rotated.Body);
        Keys[$"{label} successor"] = body.RootElement.GetProperty("key").GetString()!;
        Ids[$"{label} successor"] = body.RootElement.GetProperty("record").GetProperty("id").GetString()!;
    }

    /// <summary>Sends one raw HTTP/1.1 request with <paramref name="headerLine"/> and records the status line's code.</summary>
    private async Task RawAsync(Uri baseAddress, string name, string presented, string headerLine)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(NextSourceAddress(), 0));
        await socket.ConnectAsync(IPAddress.Loopback, baseAddress.Port);
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var request = Encoding.Latin1.GetBytes($"GET {UnknownJob} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headerLine}\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(request);
        using var reader = new StreamReader(stream, Encoding.Latin1);
        using var cts = new CancellationTokenSource(Timeout);
        var answer = await reader.ReadToEndAsync(cts.Token);
        var statusLine = answer.Split("\r\n")[0];
        var status = statusLine.Split(' ') is [_, var code, ..] && int.TryParse(code, CultureInfo.InvariantCulture, out var parsed) ? parsed : 0;
        var bodyStart = answer.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        _exchanges.Add(new Exchange(name, presented, status, null, null, null, bodyStart < 0 ? "" : answer[(bodyStart + 4)..]));
    }
}
