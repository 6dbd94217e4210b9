using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
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
        services.AddApiKeys().AddEntityFrameworkStore<AppDbContext>();
        var provider = services.BuildServiceProvider();
        _providers.Add(provider);
        var store = provider.GetRequiredService<IApiKeyStore>();
        foreach (var key in seed)
        {
            await store.CreateAsync(key);
        }

        return store;
    }

    [Fact]
    public async Task Cancelled_token_reaches_the_database_calls()
    {
        var key = NewKey();
        var store = await CreateStoreAsync([key]);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await FluentActions.Awaiting(() => store.FindByHashAsync(key.Hash, cancelled.Token)).Should().ThrowAsync<OperationCanceledException>();
        await FluentActions.Awaiting(() => store.UpdateAsync(key.Record with { IsDisabled = true }, cancelled.Token)).Should().ThrowAsync<OperationCanceledException>();
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
        builder.Services.AddApiKeys(o => o.CacheDuration = TimeSpan.FromSeconds(30)).AddEntityFrameworkStore<AppDbContext>();
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
        builder.Services.AddApiKeys().AddEntityFrameworkStore<ForgetfulDbContext>();
        await using var app = builder.Build();

        var start = () => app.StartAsync();

        (await start.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*ForgetfulDbContext*modelBuilder.AddApiKeys()*");
    }

    [Fact]
    public void Model_maps_a_unique_hash_index_and_the_chosen_table_name()
    {
        using var db = _database.CreateContext();
        var entity = db.Model.FindEntityType(typeof(ApiKeyEntity))!;

        entity.GetTableName().Should().Be("StrataApiKeys");
        entity.GetIndexes().Should().Contain(i => i.IsUnique && i.Properties.Single().Name == nameof(ApiKeyEntity.Hash));
        entity.GetIndexes().Should().Contain(i => i.Properties.Single().Name == nameof(ApiKeyEntity.Owner));
    }

    public void Dispose() => _database.Dispose();

    private static async Task<HttpStatusCode> PostAsync(HttpClient client, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/jobs");
        request.Headers.Add(ApiKeyDefaults.HeaderName, key);
        return (await client.SendAsync(request)).StatusCode;
    }
}
