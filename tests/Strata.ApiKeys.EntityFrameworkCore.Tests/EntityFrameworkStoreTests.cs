using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Strata.ApiKeys.Tests;

namespace Strata.ApiKeys.EntityFrameworkCore.Tests;

/// <summary>The store contract on a real SQLite file; subclasses choose how the context is registered.</summary>
public abstract class EntityFrameworkStoreContractTestsBase : ApiKeyStoreContractTests, IDisposable
{
    private readonly SqliteDatabase _database = new();
    private readonly List<ServiceProvider> _providers = [];

    /// <summary>Registers <see cref="AppDbContext"/> on the SQLite file at <paramref name="connectionString"/>.</summary>
    protected abstract void AddContext(IServiceCollection services, string connectionString);

    protected override async Task<IApiKeyStore> CreateStoreAsync(IReadOnlyList<StoredApiKey> seed)
    {
        var services = new ServiceCollection();
        AddContext(services, _database.ConnectionString);
        services.AddStrataApiKeys().UseEntityFrameworkStore<AppDbContext>();
        var provider = services.BuildServiceProvider();
        _providers.Add(provider);
        var store = provider.GetRequiredService<IApiKeyStore>();
        foreach (var key in seed)
        {
            await store.CreateAsync(key);
        }

        return store;
    }

    protected override Task<IApiKeyStore> OpenSecondNodeAsync(IApiKeyStore first) => CreateStoreAsync([]);

    [Fact]
    public async Task Two_contexts_that_read_the_same_row_cannot_both_write_it()
    {
        var key = NewKey();
        await CreateStoreAsync([key]);
        await using var a = _database.CreateContext();
        await using var b = _database.CreateContext();
        var rowA = await a.Set<ApiKeyEntity>().SingleAsync(e => e.Id == key.Record.Id);
        var rowB = await b.Set<ApiKeyEntity>().SingleAsync(e => e.Id == key.Record.Id);

        rowA.IsDisabled = true;
        rowA.Version++;
        await a.SaveChangesAsync();
        rowB.Name = "written by b";
        rowB.Version++;

        await FluentActions.Awaiting(() => b.SaveChangesAsync()).Should().ThrowAsync<DbUpdateConcurrencyException>("the mapped table's Version is a concurrency token");
        await using var check = _database.CreateContext();
        var row = await check.Set<ApiKeyEntity>().SingleAsync(e => e.Id == key.Record.Id);
        row.IsDisabled.Should().BeTrue();
        row.Name.Should().Be(key.Record.Name);
    }

    [Fact]
    public async Task Cancelled_token_reaches_the_database_calls()
    {
        var key = NewKey();
        var store = await CreateStoreAsync([key]);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await FluentActions.Awaiting(() => store.FindByHashAsync(key.Hash, cancelled.Token)).Should().ThrowAsync<OperationCanceledException>();
        await FluentActions.Awaiting(() => store.UpdateAsync(key.Record with { IsDisabled = true }, cancellationToken: cancelled.Token)).Should().ThrowAsync<OperationCanceledException>();
        (await store.FindByIdAsync(key.Record.Id))!.Record.IsDisabled.Should().BeFalse("the cancelled update wrote nothing");
    }

    public void Dispose()
    {
        foreach (var provider in _providers)
        {
            provider.Dispose();
        }

        _database.Dispose();
        GC.SuppressFinalize(this);
    }
}

/// <summary>The store contract with the context from a DI scope (AddDbContext).</summary>
public sealed class EntityFrameworkStoreContractTests : EntityFrameworkStoreContractTestsBase
{
    protected override void AddContext(IServiceCollection services, string connectionString) =>
        services.AddDbContext<AppDbContext>(o => o.UseSqlite(connectionString));
}

/// <summary>The same contract with the context from IDbContextFactory (AddDbContextFactory).</summary>
public sealed class EntityFrameworkFactoryStoreContractTests : EntityFrameworkStoreContractTestsBase
{
    protected override void AddContext(IServiceCollection services, string connectionString) =>
        services.AddDbContextFactory<AppDbContext>(o => o.UseSqlite(connectionString));
}

public sealed class EntityFrameworkHostTests : IDisposable
{
    private readonly SqliteDatabase _database = new();

    [Fact]
    public async Task Host_on_a_SQLite_file_creates_authenticates_rotates_and_revokes_keys()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddDbContext<AppDbContext>(o => o.UseSqlite(_database.ConnectionString));
        builder.Services.AddAuthentication(ApiKeyDefaults.AuthenticationScheme).AddApiKey(o => o.Prefix = "sk_live");
        builder.Services.AddAuthorization();
        builder.Services.AddStrataApiKeys(o => o.CacheDuration = TimeSpan.FromSeconds(30)).UseEntityFrameworkStore<AppDbContext>();
        await using var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapPost("/jobs", () => "queued").RequireScope("jobs:write");
        await app.StartAsync();
        var client = app.GetTestClient();
        var manager = app.Services.GetRequiredService<IApiKeyManager>();

        var created = await manager.CreateAsync(new ApiKeyCreateRequest { Owner = "team", Scopes = ["jobs:write"] });
        var first = await PostAsync(client, created.Key);
        var rotated = (await manager.RotateAsync(created.Record.Id, TimeSpan.FromMinutes(10)))!;
        var oldDuringOverlap = await PostAsync(client, created.Key);
        time.Advance(TimeSpan.FromMinutes(10));
        var oldAfterOverlap = await PostAsync(client, created.Key);
        var newKey = await PostAsync(client, rotated.Key);
        await manager.RevokeAsync(rotated.Record.Id);
        var newRevoked = await PostAsync(client, rotated.Key);

        first.Should().Be(HttpStatusCode.OK);
        oldDuringOverlap.Should().Be(HttpStatusCode.OK);
        oldAfterOverlap.Should().Be(HttpStatusCode.Unauthorized);
        newKey.Should().Be(HttpStatusCode.OK);
        newRevoked.Should().Be(HttpStatusCode.Unauthorized);

        await app.StopAsync(); // flushes last-used times

        await using var db = _database.CreateContext();
        var rows = await db.Set<ApiKeyEntity>().AsNoTracking().ToListAsync();
        rows.Should().HaveCount(2);
        var secretPart = created.Key.Substring(8, 12);
        rows.Should().OnlyContain(r => r.Hash.Length == 64 && !r.Hash.Contains(secretPart, StringComparison.Ordinal));
        rows.Single(r => r.Id == rotated.Record.Id).LastUsedAt.Should().NotBeNull();
        File.ReadAllText(_database.FilePath, System.Text.Encoding.Latin1).Should().NotContain(created.Key).And.NotContain(rotated.Key);
    }

    [Fact]
    public async Task Host_whose_context_lacks_the_table_mapping_stops_at_start_with_a_hint()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddDbContext<ForgetfulDbContext>(o => o.UseSqlite(_database.ConnectionString));
        builder.Services.AddAuthentication().AddApiKey();
        builder.Services.AddStrataApiKeys().UseEntityFrameworkStore<ForgetfulDbContext>();
        await using var app = builder.Build();

        var start = () => app.StartAsync();

        (await start.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*ForgetfulDbContext*modelBuilder.ApplyStrataApiKeys()*");
    }

    [Fact]
    public void Model_maps_a_unique_hash_index_and_the_chosen_table_name()
    {
        using var db = _database.CreateContext();
        var entity = db.Model.FindEntityType(typeof(ApiKeyEntity))!;

        entity.GetTableName().Should().Be("StrataApiKeys");
        entity.GetIndexes().Should().Contain(i => i.IsUnique && i.Properties.Single().Name == nameof(ApiKeyEntity.Hash));
        entity.GetIndexes().Select(i => string.Join(",", i.Properties.Select(p => p.Name))).Should().Contain(
            ["Owner,CreatedAtUtcTicks,Id", "CreatedAtUtcTicks,Id"], "the list order, with and without an owner, is read from an index");
    }

    public void Dispose() => _database.Dispose();

    private static async Task<HttpStatusCode> PostAsync(HttpClient client, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/jobs");
        request.Headers.Add(ApiKeyDefaults.HeaderName, key);
        return (await client.SendAsync(request)).StatusCode;
    }
}

/// <summary>Two nodes, each with its own service provider and DbContexts, on one SQLite file.</summary>
public sealed class EntityFrameworkTwoNodeTests : IDisposable
{
    private readonly SqliteDatabase _database = new();
    private readonly List<ServiceProvider> _nodes = [];

    [Fact]
    public async Task Two_nodes_editing_one_key_at_once_keep_both_changes()
    {
        var (managerA, storeA) = StartNode();
        var (managerB, _) = StartNode();
        var created = await managerA.CreateAsync(new ApiKeyCreateRequest { Owner = "team", Scopes = ["jobs:write"] });
        var expiry = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

        // Node A reads the key to disable it; before it writes, node B sets the expiry and is done.
        storeA.AfterNextFindById = () => managerB.SetExpiryAsync(created.Record.Id, expiry);
        (await managerA.DisableAsync(created.Record.Id)).Should().BeTrue();

        var record = (await managerB.GetAsync(created.Record.Id))!;
        record.IsDisabled.Should().BeTrue("node A's change applied after it read the key again");
        record.ExpiresAt.Should().Be(expiry, "node B's change must not be overwritten by node A's stale record");
        storeA.FindByIdCalls.Should().Be(2, "node A's first write met node B's version and was retried");
    }

    [Fact]
    public async Task Two_nodes_rotating_one_key_at_once_hand_out_one_working_successor()
    {
        var (managerA, storeA) = StartNode();
        var (managerB, _) = StartNode();
        var created = await managerA.CreateAsync(new ApiKeyCreateRequest { Owner = "team" });
        CreatedApiKey? fromB = null;
        storeA.AfterNextFindById = async () => fromB = await managerB.RotateAsync(created.Record.Id, TimeSpan.FromMinutes(5));

        var rotateOnA = () => managerA.RotateAsync(created.Record.Id, TimeSpan.FromMinutes(5));

        var refused = (await rotateOnA.Should().ThrowAsync<ApiKeyRotationException>()).Which;
        fromB.Should().NotBeNull();
        refused.Reason.Should().Be(ApiKeyRotationRefusal.AlreadyRotated);
        refused.SuccessorId.Should().Be(fromB!.Record.Id);
        var keys = await managerB.ListAsync();
        keys.Should().HaveCount(3, "the original, node B's successor, and the one node A created before it lost");
        keys.Where(k => k.RevokedAt is null && k.Id != created.Record.Id).Should().ContainSingle().Which.Id.Should().Be(fromB.Record.Id);
        keys.Single(k => k.Id == created.Record.Id).ReplacedById.Should().Be(fromB.Record.Id);
    }

    public void Dispose()
    {
        foreach (var node in _nodes)
        {
            node.Dispose();
        }

        _database.Dispose();
    }

    private (IApiKeyManager Manager, PausingStore Store) StartNode()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDbContext<AppDbContext>(o => o.UseSqlite(_database.ConnectionString));
        services.AddStrataApiKeys().UseEntityFrameworkStore<AppDbContext>();
        services.Replace(ServiceDescriptor.Singleton<IApiKeyStore>(sp => new PausingStore(ActivatorUtilities.CreateInstance<EntityFrameworkApiKeyStore<AppDbContext>>(sp))));
        var node = services.BuildServiceProvider();
        _nodes.Add(node);
        return (node.GetRequiredService<IApiKeyManager>(), (PausingStore)node.GetRequiredService<IApiKeyStore>());
    }

    /// <summary>The real store, with a hook that runs once after the next lookup by id (to hold a read-change-write open).</summary>
    private sealed class PausingStore(IApiKeyStore inner) : IApiKeyStore
    {
        private int _findByIdCalls;

        public Func<Task>? AfterNextFindById { get; set; }

        public int FindByIdCalls => _findByIdCalls;

        public async Task<StoredApiKey?> FindByIdAsync(string id, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _findByIdCalls);
            var found = await inner.FindByIdAsync(id, cancellationToken);
            if (AfterNextFindById is { } after)
            {
                AfterNextFindById = null;
                await after();
            }

            return found;
        }

        public Task<StoredApiKey?> FindByHashAsync(string hash, CancellationToken cancellationToken = default) => inner.FindByHashAsync(hash, cancellationToken);

        public Task<IReadOnlyList<StoredApiKey>> ListAsync(ApiKeyStoreQuery query, CancellationToken cancellationToken = default) => inner.ListAsync(query, cancellationToken);

        public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default) => inner.DeleteAsync(id, cancellationToken);

        public Task CreateAsync(StoredApiKey key, CancellationToken cancellationToken = default) => inner.CreateAsync(key, cancellationToken);

        public Task<bool> UpdateAsync(ApiKeyRecord record, long? expectedVersion = null, CancellationToken cancellationToken = default)
            => inner.UpdateAsync(record, expectedVersion, cancellationToken);

        public Task RecordLastUsedAsync(IReadOnlyDictionary<string, DateTimeOffset> lastUsed, CancellationToken cancellationToken = default)
            => inner.RecordLastUsedAsync(lastUsed, cancellationToken);
    }
}
