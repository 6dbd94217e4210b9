using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Strata.ApiKeys.Internal;

namespace Strata.ApiKeys.Tests;

/// <summary>A real ASP.NET Core host on TestServer with API-key authentication, a counting store and captured logs.</summary>
internal sealed class TestApp : IAsyncDisposable
{
    public const string ClientAddressHeader = "X-Test-Client";

    private TestApp(WebApplication app, FakeTimeProvider time)
    {
        App = app;
        Time = time;
        Client = app.GetTestClient();
    }

    public WebApplication App { get; }

    public FakeTimeProvider Time { get; }

    public HttpClient Client { get; }

    public TestServer Server => App.GetTestServer();

    public CountingStore Store => (CountingStore)App.Services.GetRequiredService<IApiKeyStore>();

    public IApiKeyManager Manager => App.Services.GetRequiredService<IApiKeyManager>();

    public FakeLogCollector Logs => App.Services.GetRequiredService<FakeLogCollector>();

    public static async Task<TestApp> StartAsync(
        Action<ApiKeyAuthenticationOptions>? auth = null,
        Action<ApiKeysOptions>? keys = null,
        Action<WebApplicationBuilder>? services = null,
        Action<WebApplication>? endpoints = null,
        FakeTimeProvider? time = null,
        IApiKeyStore? sharedInner = null)
    {
        time ??= new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Services.AddFakeLogging();
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddSingleton(new CountingStore(sharedInner ?? new InMemoryApiKeyStore()));

        builder.Services.AddAuthentication(ApiKeyDefaults.AuthenticationScheme)
            .AddApiKey(o =>
            {
                o.Prefix = "sk_test";
                auth?.Invoke(o);
            });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy("writers", p => p.RequireScope("jobs:write"));
        builder.Services.AddStrataApiKeys(o => keys?.Invoke(o));
        builder.Services.AddSingleton<IApiKeyStore>(sp => sp.GetRequiredService<CountingStore>());
        services?.Invoke(builder);

        var app = builder.Build();
        app.Use((context, next) =>
        {
            if (context.Request.Headers.TryGetValue(ClientAddressHeader, out var address))
            {
                context.Connection.RemoteIpAddress = IPAddress.Parse(address.ToString());
            }

            return next(context);
        });
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapGet("/open", () => "open");
        app.MapGet("/me", (HttpContext context) =>
        {
            var user = context.User;
            var feature = context.Features.Get<IApiKeyFeature>();
            return Results.Ok(new
            {
                id = user.FindFirstValue(ApiKeyClaimTypes.KeyId),
                owner = user.FindFirstValue(ApiKeyClaimTypes.Owner),
                name = user.Identity?.Name,
                scopes = user.FindAll(ApiKeyClaimTypes.Scope).Select(c => c.Value).ToArray(),
                featureId = feature?.Record.Id,
                featureScheme = feature?.Scheme,
                extra = user.FindFirstValue("extra"),
            });
        }).RequireAuthorization();
        app.MapPost("/jobs", () => Results.Accepted()).RequireScope("jobs:write");
        app.MapGet("/both", () => "both").RequireScope("jobs:write", "jobs:read");
        app.MapGet("/policy", () => "policy").RequireAuthorization("writers");
        endpoints?.Invoke(app);

        await app.StartAsync();
        return new TestApp(app, time);
    }

    public async Task<CreatedApiKey> CreateKeyAsync(params string[] scopes)
        => await Manager.CreateAsync(new ApiKeyCreateRequest { Owner = "owner-1", Name = "test key", Scopes = scopes });

    public Task<HttpResponseMessage> GetAsync(string path, string? key, string? clientAddress = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation(ApiKeyDefaults.HeaderName, key);
        }

        if (clientAddress is not null)
        {
            request.Headers.Add(ClientAddressHeader, clientAddress);
        }

        return Client.SendAsync(request);
    }

    /// <summary>Sends a request built on the server side, so header values HttpClient would refuse still arrive.</summary>
    public Task<HttpContext> SendRawAsync(string path, Action<HttpRequest> configure)
        => Server.SendAsync(context =>
        {
            context.Request.Method = HttpMethods.Get;
            context.Request.Path = path;
            configure(context.Request);
        });

    public IReadOnlyList<string> AllLogText()
        => Logs.GetSnapshot().Select(r => string.Join(" | ", new[] { r.Message, r.Exception?.ToString() ?? string.Empty }
            .Concat(r.StructuredState?.Select(kv => kv.Key + "=" + kv.Value) ?? []))).ToList();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}

/// <summary>Wraps a real store and counts (and records) the calls that reach it.</summary>
internal sealed class CountingStore(IApiKeyStore inner) : IApiKeyStore
{
    private int _findByHash;
    private int _writes;
    private int _lastUsedWrites;

    public IApiKeyStore Inner { get; } = inner;

    public int FindByHashCalls => Volatile.Read(ref _findByHash);

    public int WriteCalls => Volatile.Read(ref _writes);

    public int LastUsedWrites => Volatile.Read(ref _lastUsedWrites);

    public List<string> HashesLookedUp { get; } = [];

    public Exception? ThrowOnFind { get; set; }

    public Exception? ThrowOnLastUsed { get; set; }

    /// <summary>Runs inside <see cref="RecordLastUsedAsync"/> before the write (to act while a flush is under way).</summary>
    public Action? DuringLastUsedWrite { get; set; }

    private int _findsInFlight;

    /// <summary>Lookups by hash under way right now.</summary>
    public int FindsInFlight => Volatile.Read(ref _findsInFlight);

    /// <summary>Awaited inside each lookup by hash, before the inner store answers (to hold lookups open).</summary>
    public Func<Task>? DuringFindByHash { get; set; }

    public async Task<StoredApiKey?> FindByHashAsync(string hash, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _findByHash);
        lock (HashesLookedUp)
        {
            HashesLookedUp.Add(hash);
        }

        Interlocked.Increment(ref _findsInFlight);
        try
        {
            if (DuringFindByHash is { } during)
            {
                await during();
            }

            return ThrowOnFind is { } ex ? throw ex : await Inner.FindByHashAsync(hash, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _findsInFlight);
        }
    }

    /// <summary>Awaited after a lookup by id returns from the inner store (to hold a read-change-write open).</summary>
    public Func<Task>? AfterFindById { get; set; }

    public async Task<StoredApiKey?> FindByIdAsync(string id, CancellationToken cancellationToken = default)
    {
        var found = await Inner.FindByIdAsync(id, cancellationToken);
        if (AfterFindById is { } after)
        {
            await after();
        }

        return found;
    }

    public Task<IReadOnlyList<StoredApiKey>> ListAsync(ApiKeyStoreQuery query, CancellationToken cancellationToken = default) => Inner.ListAsync(query, cancellationToken);

    public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _writes);
        return Inner.DeleteAsync(id, cancellationToken);
    }

    public Task CreateAsync(StoredApiKey key, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _writes);
        return Inner.CreateAsync(key, cancellationToken);
    }

    public Task<bool> UpdateAsync(ApiKeyRecord record, long? expectedVersion = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _writes);
        return Inner.UpdateAsync(record, expectedVersion, cancellationToken);
    }

    /// <summary>Completes after the first last-used write that reached the inner store.</summary>
    public TaskCompletionSource LastUsedWritten { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>When set, last-used writes wait until their token fires, as a database that does not answer would.</summary>
    public bool LastUsedHangs { get; set; }

    public async Task RecordLastUsedAsync(IReadOnlyDictionary<string, DateTimeOffset> lastUsed, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _lastUsedWrites);
        DuringLastUsedWrite?.Invoke();
        if (ThrowOnLastUsed is { } ex)
        {
            throw ex;
        }

        if (LastUsedHangs)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        await Inner.RecordLastUsedAsync(lastUsed, cancellationToken);
        LastUsedWritten.TrySetResult();
    }
}
