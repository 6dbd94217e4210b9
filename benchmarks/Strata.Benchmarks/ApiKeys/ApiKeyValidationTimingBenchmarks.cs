using System.Net;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Strata.ApiKeys;
using Strata.ApiKeys.Internal;

namespace Strata.Benchmarks.ApiKeys;

/// <summary>
/// Issue #8, security: how long the API-key scheme takes to turn a key away, by kind of bad key, against a valid key in
/// the same run. What an attacker who can time answers could learn. The whole scheme is measured as the
/// authentication middleware calls it (<c>AuthenticateAsync</c>: header read, format and checksum, hash, cache and
/// store lookup, record checks), for: a malformed key (bad checksum), an unknown key of valid shape (one key, so
/// cached as unknown after its first lookup), fresh unknown keys (a new one per call, as a guessing client sends:
/// always a cache miss), a real key with one secret character changed (the format has no key id: this is the closest
/// to "known id, wrong secret"), and the valid key (baseline). The brute-force guard is off, or the failing keys
/// would be measured as 429s after ten calls.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("ApiKeys", "Security")]
public class ApiKeyValidationTimingBenchmarks
{
    private const string Prefix = "sk_live";
    private const int FreshKeys = 1 << 16;

    private ServiceProvider _services = null!;
    private SqliteConnection? _keepAlive;
    private string? _databaseFile;
    private DefaultHttpContext _valid = null!;
    private DefaultHttpContext _malformed = null!;
    private DefaultHttpContext _unknown = null!;
    private DefaultHttpContext _wrongSecret = null!;
    private DefaultHttpContext _fresh = null!;
    private string[] _freshKeys = null!;
    private int _next;

    /// <summary>Where keys live and whether lookups are cached.</summary>
    public enum StoreSetup
    {
        /// <summary>EF Core on a SQLite file, <c>CacheDuration = 0</c>: every lookup is a query (the store's own timing).</summary>
        SqliteNoCache,

        /// <summary>EF Core on a SQLite file with the default cache (30 s; unknown keys 5 s).</summary>
        SqliteCached,

        /// <summary>The in-memory store with the default cache.</summary>
        InMemoryCached,
    }

    /// <summary>The store and cache configuration.</summary>
    [Params(StoreSetup.SqliteNoCache, StoreSetup.SqliteCached, StoreSetup.InMemoryCached)]
    public StoreSetup Store { get; set; }

    /// <summary>Builds the services on the chosen store, creates 20 keys (the valid one among them) and checks every path's answer.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddAuthentication(ApiKeyDefaults.AuthenticationScheme).AddApiKey(o =>
        {
            o.Prefix = Prefix;
            o.CacheOnConnection = false;
        });
        var keys = services.AddStrataApiKeys(o =>
        {
            o.BruteForce.Enabled = false;
            o.CacheDuration = Store == StoreSetup.SqliteNoCache ? TimeSpan.Zero : TimeSpan.FromSeconds(30);
        });
        if (Store == StoreSetup.InMemoryCached)
        {
            keys.UseInMemoryStore();
        }
        else
        {
            _databaseFile = Path.Combine(Path.GetTempPath(), $"strata-bench-timing-{Guid.NewGuid():N}.db");
            var connectionString = $"Data Source={_databaseFile}";
            services.AddDbContextFactory<TimingDbContext>(o => o.UseSqlite(connectionString));
            keys.UseEntityFrameworkStore<TimingDbContext>();
            _keepAlive = new SqliteConnection(connectionString);
            _keepAlive.Open();
        }

        _services = services.BuildServiceProvider();
        if (_databaseFile is not null)
        {
            using var db = _services.GetRequiredService<IDbContextFactory<TimingDbContext>>().CreateDbContext();
            db.Database.EnsureCreated();
        }

        // 20 keys in the store (few, so the smoke pass stays short); the valid key is one of them.
        var manager = _services.GetRequiredService<IApiKeyManager>();
        string valid = null!;
        for (var i = 0; i < 20; i++)
        {
            var created = manager.CreateAsync(new ApiKeyCreateRequest { Owner = $"owner-{i}", Scopes = ["jobs:write"] }).GetAwaiter().GetResult();
            if (i == 10)
            {
                valid = created.Key;
            }
        }

        _valid = Request(valid);
        _malformed = Request(valid[..^1] + (valid[^1] == '0' ? '1' : '0'));
        _unknown = Request(ApiKeyFormat.Generate(Prefix));
        _wrongSecret = Request(WrongSecret(valid));
        _freshKeys = Enumerable.Range(0, FreshKeys).Select(_ => ApiKeyFormat.Generate(Prefix)).ToArray();
        _fresh = Request(_freshKeys[0]);

        // Every path gives its answer (and fills the caches it would use).
        Expect(Valid(), ApiKeyFailureReason.Unknown, success: true);
        Expect(Malformed(), ApiKeyFailureReason.Malformed, success: false);
        Expect(Unknown(), ApiKeyFailureReason.Unknown, success: false);
        Expect(WrongSecretPart(), ApiKeyFailureReason.Unknown, success: false);
        Expect(FreshUnknown(), ApiKeyFailureReason.Unknown, success: false);
    }

    /// <summary>Disposes the services and removes the database file.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        _keepAlive?.Dispose();
        SqliteConnection.ClearAllPools();
        if (_databaseFile is not null)
        {
            File.Delete(_databaseFile);
        }
    }

    /// <summary>Baseline: a valid key.</summary>
    [Benchmark(Baseline = true)]
    public AuthenticateResult Valid() => Authenticate(_valid, success: true);

    /// <summary>A key with a bad checksum: turned away before any hash or lookup.</summary>
    [Benchmark]
    public AuthenticateResult Malformed() => Authenticate(_malformed, success: false);

    /// <summary>One unknown key of valid shape, again and again (cached as unknown for 5 s when the cache is on).</summary>
    [Benchmark]
    public AuthenticateResult Unknown() => Authenticate(_unknown, success: false);

    /// <summary>A new unknown key of valid shape per call (65,536 in turn): a cache miss and a store lookup every time.</summary>
    [Benchmark]
    public AuthenticateResult FreshUnknown()
    {
        var key = _freshKeys[_next++ & (FreshKeys - 1)];
        _fresh.Request.Headers["X-Api-Key"] = key;
        return Authenticate(_fresh, success: false);
    }

    /// <summary>The valid key with one secret character changed and the checksum made right again.</summary>
    [Benchmark]
    public AuthenticateResult WrongSecretPart() => Authenticate(_wrongSecret, success: false);

    private static DefaultHttpContext Request(string key)
    {
        var context = new DefaultHttpContext();
        context.Request.Headers["X-Api-Key"] = key;
        context.Connection.RemoteIpAddress = IPAddress.Loopback;
        return context;
    }

    private AuthenticateResult Authenticate(DefaultHttpContext context, bool success)
    {
        using var scope = _services.CreateScope();
        context.RequestServices = scope.ServiceProvider;
        var result = context.AuthenticateAsync(ApiKeyDefaults.AuthenticationScheme).GetAwaiter().GetResult();
        return result.Succeeded == success ? result : throw new InvalidOperationException($"Expected success {success}, got {result.Failure?.Message}.");
    }

    private static void Expect(AuthenticateResult result, ApiKeyFailureReason reason, bool success)
    {
        if (result.Succeeded != success || (!success && result.Failure?.Message != Message(reason)))
        {
            throw new InvalidOperationException($"Expected {(success ? "success" : reason)}, got {result.Failure?.Message ?? "success"}.");
        }
    }

    private static string Message(ApiKeyFailureReason reason) => reason switch
    {
        ApiKeyFailureReason.Malformed => "The API key is malformed.",
        _ => "The API key is not valid.",
    };

    /// <summary>The key with one secret character changed and a checksum that matches again (a well-formed key no store holds).</summary>
    private static string WrongSecret(string key)
    {
        var body = key[..^ApiKeyFormat.ChecksumLength].ToCharArray();
        var at = body.Length - 10;
        body[at] = body[at] == 'a' ? 'b' : 'a';
        Span<char> checksum = stackalloc char[ApiKeyFormat.ChecksumLength];
        Base62.EncodeUInt32(Crc32.Compute(body), checksum);
        var changed = new string(body) + new string(checksum);
        return ApiKeyFormat.IsWellFormed(changed, Prefix) && changed != key ? changed : throw new InvalidOperationException("The changed key is not well-formed.");
    }

    /// <summary>The benchmark's own DbContext with the API-keys table.</summary>
    private sealed class TimingDbContext(DbContextOptions<TimingDbContext> options) : DbContext(options)
    {
        protected override void OnModelCreating(ModelBuilder modelBuilder) => modelBuilder.ApplyStrataApiKeys();
    }
}
