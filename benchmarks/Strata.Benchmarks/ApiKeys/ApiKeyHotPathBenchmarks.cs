using System.Net;
using System.Security.Claims;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Strata.ApiKeys;
using Strata.ApiKeys.Internal;
using Strata.Benchmarks.Infrastructure;

namespace Strata.Benchmarks.ApiKeys;

/// <summary>
/// The per-request cost of API-key authentication on a cache hit, whole and in parts. <see cref="HotPath"/> is the
/// path issue 3 sets a target for (parse, checksum, hash, cached lookup: 1 µs or less, no allocation beyond the
/// principal); <see cref="Handler"/> is everything the scheme does for a request, through ASP.NET Core's
/// authentication service, as the authentication middleware calls it.
/// </summary>
[MemoryDiagnoser]
[BenchmarkCategory("ApiKeys")]
public class ApiKeyHotPathBenchmarks
{
    private const string Prefix = "sk_live";
    private const string Pepper = "benchmark-pepper-0123456789abcdef0123456789";

    private readonly byte[] _hash = new byte[ApiKeyHasher.HashSize];
    private ServiceProvider _services = null!;
    private ServiceProvider _pepperedServices = null!;
    private ApiKeyLookup _pepperedLookup = null!;
    private string _pepperedKey = null!;
    private IServiceScopeFactory _scopes = null!;
    private ApiKeyLookup _lookup = null!;
    private ApiKeyHasher _hasher = null!;
    private ApiKeyHasher _pepperedHasher = null!;
    private BruteForceGuard _guard = null!;
    private BruteForceGuard _busyGuard = null!;
    private HybridCache _cache = null!;
    private TimeProvider _time = null!;
    private HybridCacheEntryOptions _entryOptions = null!;
    private string _cacheKey = null!;
    private LastUsedTracker _lastUsed = null!;
    private DefaultHttpContext _context = null!;
    private DefaultHttpContext _keepAliveContext = null!;
    private ApiKeyRecord _record = null!;
    private string _key = null!;

    /// <summary>Builds the services a host registers, creates one key in the in-memory store and warms the cache.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddAuthentication(ApiKeyDefaults.AuthenticationScheme)
            .AddApiKey(o => o.Prefix = Prefix)
            .AddScheme<AuthenticationSchemeOptions, FixedPrincipalHandler>(FixedPrincipalHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, FreshPrincipalHandler>(FreshPrincipalHandler.SchemeName, null);
        services.AddStrataApiKeys().UseInMemoryStore();
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        _scopes = _services.GetRequiredService<IServiceScopeFactory>();
        _lookup = _services.GetRequiredService<ApiKeyLookup>();
        _hasher = _services.GetRequiredService<ApiKeyHasher>();
        _pepperedHasher = new ApiKeyHasher(Pepper);
        _guard = _services.GetRequiredService<BruteForceGuard>();
        _lastUsed = _services.GetRequiredService<LastUsedTracker>();
        _cache = _services.GetRequiredService<HybridCache>();
        _time = _services.GetRequiredService<TimeProvider>();

        // The same services with a pepper (HMAC-SHA256), one key, cache warmed: for HotPathWithPepper.
        var peppered = new ServiceCollection();
        peppered.AddLogging();
        peppered.AddAuthentication(ApiKeyDefaults.AuthenticationScheme).AddApiKey(o => o.Prefix = Prefix);
        peppered.AddStrataApiKeys(o => o.Pepper = Pepper).UseInMemoryStore();
        _pepperedServices = peppered.BuildServiceProvider();
        _pepperedLookup = _pepperedServices.GetRequiredService<ApiKeyLookup>();
        _pepperedKey = _pepperedServices.GetRequiredService<IApiKeyManager>()
            .CreateAsync(new ApiKeyCreateRequest { Owner = "benchmarks", Scopes = ["jobs:write", "analyze"] }).GetAwaiter().GetResult().Key;
        if (_pepperedLookup.FindAsync(_pepperedKey, CancellationToken.None).AsTask().GetAwaiter().GetResult() is null)
        {
            throw new InvalidOperationException("The peppered benchmark key did not validate.");
        }

        // A guard with one failing address tracked, so IsBlocked cannot take the empty-table fast path.
        _busyGuard = new BruteForceGuard(_time, _services.GetRequiredService<IOptionsMonitor<ApiKeysOptions>>());
        _busyGuard.RecordFailure(IPAddress.Parse("203.0.113.1"));

        var created = _services.GetRequiredService<IApiKeyManager>().CreateAsync(new ApiKeyCreateRequest
        {
            Owner = "benchmarks",
            Name = "hot path",
            Scopes = ["jobs:write", "analyze"],
        }).GetAwaiter().GetResult();
        _key = created.Key;
        _record = created.Record;

        // The key's own cache key, as the lookup stores it in HybridCache (for HybridCacheHit and PreviousHotPath).
        _entryOptions = new HybridCacheEntryOptions { Expiration = TimeSpan.FromHours(1), LocalCacheExpiration = TimeSpan.FromHours(1) };
        _hasher.Hash(_key, _hash);
        _cacheKey = ApiKeyHasher.CacheKeyFor(_hash);

        // A request as Kestrel hands it over: the key header and a loopback peer.
        _context = new DefaultHttpContext();
        _context.Request.Headers["X-Api-Key"] = _key;
        _context.Connection.RemoteIpAddress = IPAddress.Loopback;

        // The same request on a keep-alive HTTP/1.1 connection with connection items, as Kestrel hands it over: the
        // scheme remembers the key on the connection (CacheOnConnection) and later requests skip hash and lookup.
        _keepAliveContext = new DefaultHttpContext();
        _keepAliveContext.Request.Protocol = HttpProtocol.Http11;
        _keepAliveContext.Request.Headers["X-Api-Key"] = _key;
        _keepAliveContext.Connection.RemoteIpAddress = IPAddress.Loopback;
        _keepAliveContext.Features.Set<IConnectionItemsFeature>(new KeepAliveConnectionItems());

        // Fill the cache, and prove every path succeeds (a benchmark of a failing path would mislead).
        if (_lookup.FindAsync(_key, CancellationToken.None).AsTask().GetAwaiter().GetResult() is null
            || HybridCacheHit().AsTask().GetAwaiter().GetResult() is null
            || PreviousHotPath().AsTask().GetAwaiter().GetResult() is null
            || !PreviousFormatCheck()
            || !Handler().GetAwaiter().GetResult().Succeeded
            || !HandlerOnKeepAlive().GetAwaiter().GetResult().Succeeded
            || !FrameworkFloorWithPrincipal().GetAwaiter().GetResult().Succeeded
            || !_keepAliveContext.Features.Get<IConnectionItemsFeature>()!.Items.Values.OfType<ConnectionKeyMemo>().Any(m => m.Current is not null))
        {
            throw new InvalidOperationException("The benchmark key did not authenticate.");
        }
    }

    /// <summary>Disposes the services.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        _pepperedServices.Dispose();
    }

    /// <summary>Parse and checksum: prefix, length, base62 characters and CRC32 (the check that runs before any lookup).</summary>
    [Benchmark]
    public bool FormatCheck() => ApiKeyFormat.IsWellFormed(_key, Prefix);

    /// <summary>SHA-256 of the key's UTF-8 bytes (the default, no pepper).</summary>
    [Benchmark]
    public byte Hash()
    {
        _hasher.Hash(_key, _hash);
        return _hash[0];
    }

    /// <summary>HMAC-SHA256 with a pepper (<c>ApiKeysOptions.Pepper</c> set).</summary>
    [Benchmark]
    public byte HashWithPepper()
    {
        _pepperedHasher.Hash(_key, _hash);
        return _hash[0];
    }

    /// <summary>The cache key as a new string: prefix and base64url of the hash's first 128 bits (a hit on .NET 9+ finds the string instead).</summary>
    [Benchmark]
    public string CacheKey() => ApiKeyHasher.CacheKeyFor(_hash);

    /// <summary>
    /// Baseline (since run G), the format check of runs E and F rebuilt here: a per-character base62 loop, the body
    /// transcoded to ASCII bytes, then a byte-wise CRC32.
    /// </summary>
    [Benchmark]
    public bool PreviousFormatCheck() => PreviousIsWellFormed(_key, Prefix);

    /// <summary>
    /// A HybridCache hit alone (<c>GetOrCreateAsync</c> on a key already in its memory layer): what every cached
    /// lookup paid before run G, and what the local front now skips.
    /// </summary>
    [Benchmark]
    public async ValueTask<ApiKeyRecord?> HybridCacheHit()
    {
        var entry = await _cache.GetOrCreateAsync<ApiKeyHotPathBenchmarks, CachedApiKey>(
            _cacheKey,
            this,
            static (_, _) => throw new InvalidOperationException("The entry is missing from the cache."),
            _entryOptions,
            tags: null,
            CancellationToken.None).ConfigureAwait(false);
        return entry.Record;
    }

    /// <summary>
    /// Baseline (since run G), the hot path of runs E and F rebuilt here: the previous format check, hash, cache key
    /// written on the stack, HybridCache hit, freshness check. Compare with <see cref="HotPath"/> in the same run.
    /// </summary>
    [Benchmark]
    public async ValueTask<ApiKeyRecord?> PreviousHotPath()
    {
        if (!PreviousIsWellFormed(_key, Prefix))
        {
            throw new InvalidOperationException("The benchmark key is malformed.");
        }

        var entry = await _cache.GetOrCreateAsync<ApiKeyHotPathBenchmarks, CachedApiKey>(
            CacheKeyOf(_hasher, _key, _cacheKey),
            this,
            static (_, _) => throw new InvalidOperationException("The entry is missing from the cache."),
            _entryOptions,
            tags: null,
            CancellationToken.None).ConfigureAwait(false);
        return _time.GetUtcNow() - entry.LoadedAt < TimeSpan.FromHours(1) ? entry.Record : null;
    }

    /// <summary>Hash, cache key and local-front hit: <c>ApiKeyLookup.FindAsync</c> for a key that validated recently.</summary>
    [Benchmark]
    public ValueTask<ApiKeyRecord?> CachedLookup() => _lookup.FindAsync(_key, CancellationToken.None);

    /// <summary>The hot path: parse, checksum, hash, cached lookup.</summary>
    [Benchmark]
    public ValueTask<ApiKeyRecord?> HotPath()
        => ApiKeyFormat.IsWellFormed(_key, Prefix)
            ? _lookup.FindAsync(_key, CancellationToken.None)
            : throw new InvalidOperationException("The benchmark key is malformed.");

    /// <summary>The hot path with <c>ApiKeysOptions.Pepper</c> set: HMAC-SHA256 instead of SHA-256 (since run P).</summary>
    [Benchmark]
    public ValueTask<ApiKeyRecord?> HotPathWithPepper()
        => ApiKeyFormat.IsWellFormed(_pepperedKey, Prefix)
            ? _pepperedLookup.FindAsync(_pepperedKey, CancellationToken.None)
            : throw new InvalidOperationException("The benchmark key is malformed.");

    /// <summary>
    /// The principal the handler builds for the key (since issue 23 its claims are created when first read): what a
    /// request pays when nothing reads a claim (an endpoint with <c>RequireAuthorization()</c> only).
    /// </summary>
    [Benchmark]
    public ClaimsPrincipal Principal()
        => ApiKeyAuthenticationHandler.CreatePrincipal(_record, ApiKeyDefaults.AuthenticationScheme, ApiKeyDefaults.AuthenticationScheme);

    /// <summary>
    /// The handler's principal with one claim read (the key id, as a rate limiter partitioning by key reads it): the
    /// claims are created, four plus one per scope.
    /// </summary>
    [Benchmark]
    public Claim? PrincipalClaimRead()
        => ApiKeyAuthenticationHandler.CreatePrincipal(_record, ApiKeyDefaults.AuthenticationScheme, ApiKeyDefaults.AuthenticationScheme)
            .FindFirst(ApiKeyClaimTypes.KeyId);

    /// <summary>Baseline (issue 23), the principal built eagerly, as the handler built it from run G to issue 23.</summary>
    [Benchmark]
    public ClaimsPrincipal EagerPrincipalBuild()
        => EagerPrincipal.Create(_record, ApiKeyDefaults.AuthenticationScheme, ApiKeyDefaults.AuthenticationScheme);

    /// <summary>
    /// Baseline (since run G), the principal as runs A to F built it: claims without a subject handed to the
    /// identity's constructor, which clones every one of them.
    /// </summary>
    [Benchmark]
    public ClaimsPrincipal PreviousPrincipal()
    {
        const string issuer = ApiKeyDefaults.AuthenticationScheme;
        var claims = new List<Claim>(4 + _record.Scopes.Count)
        {
            new(ApiKeyClaimTypes.KeyId, _record.Id, ClaimValueTypes.String, issuer),
            new(ApiKeyClaimTypes.Owner, _record.Owner, ClaimValueTypes.String, issuer),
            new(ClaimTypes.NameIdentifier, _record.Id, ClaimValueTypes.String, issuer),
            new(ClaimTypes.Name, _record.Owner, ClaimValueTypes.String, issuer),
        };
        foreach (var scope in _record.Scopes)
        {
            claims.Add(new Claim(ApiKeyClaimTypes.Scope, scope, ClaimValueTypes.String, issuer));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, ApiKeyDefaults.AuthenticationScheme, ClaimTypes.Name, ClaimTypes.Role));
    }

    /// <summary>The brute-force guard's check that runs on every request carrying a key (IPv4 peer).</summary>
    [Benchmark]
    public bool BruteForceCheck() => _guard.IsBlocked(IPAddress.Loopback, out _);

    /// <summary>The same check for an IPv6 peer (counted per /64).</summary>
    [Benchmark]
    public bool BruteForceCheckIPv6() => _guard.IsBlocked(IPAddress.IPv6Loopback, out _);

    /// <summary>The IPv6 check when the failure table is not empty (another address failed): no fast path.</summary>
    [Benchmark]
    public bool BruteForceCheckIPv6Tracked() => _busyGuard.IsBlocked(IPAddress.IPv6Loopback, out _);

    /// <summary>Recording the last-used time of a key (coalesced in memory, flushed in batches).</summary>
    [Benchmark]
    public int LastUsedRecord()
    {
        _lastUsed.Record(_record.Id, DateTimeOffset.UnixEpoch);
        return _lastUsed.PendingCount;
    }

    /// <summary>
    /// What every request pays before any scheme runs: a request scope and the authentication service. Subtract it
    /// from <see cref="Handler"/> to see the scheme's own cost.
    /// </summary>
    [Benchmark]
    public async Task<bool> RequestScope()
    {
        await using var scope = _scopes.CreateAsyncScope();
        return scope.ServiceProvider.GetRequiredService<IAuthenticationService>() is not null;
    }

    /// <summary>
    /// A request scope and the API-key handler resolved from it, as ASP.NET Core creates one per request (a transient
    /// with eight dependencies; its base class also asks the logger factory for a logger). Compare with
    /// <see cref="RequestScope"/>.
    /// </summary>
    [Benchmark]
    public async Task<bool> HandlerConstruction()
    {
        await using var scope = _scopes.CreateAsyncScope();
        return scope.ServiceProvider.GetRequiredService<ApiKeyAuthenticationHandler>() is not null;
    }

    /// <summary>
    /// ASP.NET Core's authentication machinery with a scheme that does nothing (it returns a ready-made principal):
    /// request scope, handler creation, <c>AuthenticateAsync</c>, ticket. Subtract it from <see cref="Handler"/> to
    /// see what Strata's scheme itself costs.
    /// </summary>
    [Benchmark]
    public async Task<AuthenticateResult> FrameworkFloor()
    {
        await using var scope = _scopes.CreateAsyncScope();
        _context.RequestServices = scope.ServiceProvider;
        var result = await _context.AuthenticateAsync(FixedPrincipalHandler.SchemeName);
        return result.Succeeded ? result : throw new InvalidOperationException("The fixed scheme did not authenticate.");
    }

    /// <summary>
    /// The whole scheme for one request on a cache hit, as the authentication middleware runs it: a request scope,
    /// <c>AuthenticateAsync</c> through the authentication service (handler creation, header read, brute-force
    /// check, format check, hash, cached lookup, expiry and allow-list checks, principal, validated event,
    /// feature, last-used record, ticket).
    /// </summary>
    [Benchmark]
    public async Task<AuthenticateResult> Handler()
    {
        await using var scope = _scopes.CreateAsyncScope();
        _context.RequestServices = scope.ServiceProvider;
        var result = await _context.AuthenticateAsync(ApiKeyDefaults.AuthenticationScheme);
        return result.Succeeded ? result : throw new InvalidOperationException("The benchmark key did not authenticate.");
    }

    /// <summary>
    /// <see cref="Handler"/> for a later request on a keep-alive HTTP/1.1 connection that validated the same key
    /// before (<c>CacheOnConnection</c>, the default): the key is compared with the connection's remembered one
    /// instead of hashed and looked up; every other check runs.
    /// </summary>
    [Benchmark]
    public async Task<AuthenticateResult> HandlerOnKeepAlive()
    {
        await using var scope = _scopes.CreateAsyncScope();
        _keepAliveContext.RequestServices = scope.ServiceProvider;
        var result = await _keepAliveContext.AuthenticateAsync(ApiKeyDefaults.AuthenticationScheme);
        return result.Succeeded ? result : throw new InvalidOperationException("The benchmark key did not authenticate.");
    }

    /// <summary>
    /// <see cref="FrameworkFloor"/> with a scheme that builds the API-key scheme's principal per request and does
    /// nothing else: subtract it from <see cref="HandlerOnKeepAlive"/> to see what Strata's checks cost beyond the
    /// principal every real scheme creates.
    /// </summary>
    [Benchmark]
    public async Task<AuthenticateResult> FrameworkFloorWithPrincipal()
    {
        await using var scope = _scopes.CreateAsyncScope();
        _context.RequestServices = scope.ServiceProvider;
        var result = await _context.AuthenticateAsync(FreshPrincipalHandler.SchemeName);
        return result.Succeeded ? result : throw new InvalidOperationException("The fresh-principal scheme did not authenticate.");
    }

    /// <summary>The cache key for <paramref name="key"/>, written on the stack and matched to the known string (as runs E and F did on .NET 9+).</summary>
    private static string CacheKeyOf(ApiKeyHasher hasher, string key, string known)
    {
        Span<byte> hash = stackalloc byte[ApiKeyHasher.HashSize];
        hasher.Hash(key, hash);
        Span<char> chars = stackalloc char[ApiKeyHasher.CacheKeyLength];
        ApiKeyHasher.WriteCacheKey(hash, chars);
        return chars.SequenceEqual(known) ? known : new string(chars);
    }

    private static bool PreviousIsWellFormed(ReadOnlySpan<char> key, string prefix)
    {
        if (key.Length != prefix.Length + 1 + ApiKeyFormat.SecretLength + ApiKeyFormat.ChecksumLength
            || !key.StartsWith(prefix, StringComparison.Ordinal)
            || key[prefix.Length] != '_')
        {
            return false;
        }

        foreach (var c in key[(prefix.Length + 1)..])
        {
            if (!Base62.IsDigit(c))
            {
                return false;
            }
        }

        var body = key[..(prefix.Length + 1 + ApiKeyFormat.SecretLength)];
        Span<byte> bytes = stackalloc byte[body.Length];
        var written = System.Text.Encoding.ASCII.GetBytes(body, bytes);
        return Base62.TryDecodeUInt32(key[body.Length..], out var checksum) && checksum == Crc32.Compute(bytes[..written]);
    }

    /// <summary>The connection items a server such as Kestrel exposes per connection.</summary>
    private sealed class KeepAliveConnectionItems : IConnectionItemsFeature
    {
        public IDictionary<object, object?> Items { get; set; } = new Microsoft.AspNetCore.Connections.ConnectionItems();
    }
}
