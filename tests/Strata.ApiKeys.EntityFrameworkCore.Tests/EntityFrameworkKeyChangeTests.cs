using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Strata.ApiKeys.EntityFrameworkCore.Tests;

/// <summary>Update, paging and delete through <see cref="IApiKeyManager"/> on a host whose keys live in a SQLite file.</summary>
public sealed class EntityFrameworkKeyChangeTests : IAsyncLifetime
{
    private readonly SqliteDatabase _database = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
    private WebApplication _app = null!;
    private HttpClient _client = null!;

    private IApiKeyManager Manager => _app.Services.GetRequiredService<IApiKeyManager>();

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Services.AddSingleton<TimeProvider>(_time);
        builder.Services.AddDbContext<AppDbContext>(o => o.UseSqlite(_database.ConnectionString));
        builder.Services.AddAuthentication(ApiKeyDefaults.AuthenticationScheme).AddApiKey(o => o.Prefix = "sk_live");
        builder.Services.AddAuthorization();
        builder.Services.AddStrataApiKeys().UseEntityFrameworkStore<AppDbContext>();
        _app = builder.Build();
        _app.UseAuthentication();
        _app.UseAuthorization();
        _app.MapGet("/jobs", () => "listed").RequireScope("jobs:read");
        _app.MapGet("/plan", (HttpContext context) => context.Features.Get<IApiKeyFeature>()!.Record.Metadata["plan"]).RequireAuthorization();
        await _app.StartAsync();
        _client = _app.GetTestClient();
    }

    [Fact]
    public async Task Upgrading_a_plan_changes_scopes_and_metadata_of_the_same_key_for_the_next_request()
    {
        var created = await Manager.CreateAsync(new ApiKeyCreateRequest { Owner = "customer-1", Metadata = new Dictionary<string, string> { ["plan"] = "free" } });
        (await GetAsync("/jobs", created.Key)).StatusCode.Should().Be(HttpStatusCode.Forbidden);

        await Manager.UpdateAsync(created.Record.Id, new ApiKeyUpdate { Scopes = ["jobs:read"], Metadata = new Dictionary<string, string> { ["plan"] = "pro" } });

        (await GetAsync("/jobs", created.Key)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await (await GetAsync("/plan", created.Key)).Content.ReadAsStringAsync()).Should().Be("pro");
        await using var db = _database.CreateContext();
        var row = await db.Set<ApiKeyEntity>().AsNoTracking().SingleAsync();
        row.Version.Should().Be(2);
        row.Hash.Should().Be(ApiKeyFormat.ComputeHash(created.Key));
    }

    [Fact]
    public async Task Pages_through_one_owner_s_keys_created_in_the_same_millisecond_without_skipping_or_repeating_one()
    {
        var mine = new List<ApiKeyRecord>();
        for (var i = 0; i < 7; i++)
        {
            mine.Add((await Manager.CreateAsync(new ApiKeyCreateRequest { Owner = "a" })).Record);
            await Manager.CreateAsync(new ApiKeyCreateRequest { Owner = "b" });
        }

        _time.Advance(TimeSpan.FromMilliseconds(1));
        mine.Add((await Manager.CreateAsync(new ApiKeyCreateRequest { Owner = "a" })).Record);

        var pages = new List<ApiKeyPage>();
        string? cursor = null;
        do
        {
            var page = await Manager.ListPageAsync(new ApiKeyQuery { Owner = "a", Limit = 3, Cursor = cursor });
            pages.Add(page);
            cursor = page.NextCursor;
        }
        while (cursor is not null && pages.Count < 100);

        pages.Select(p => p.Items.Count).Should().Equal(3, 3, 2);
        var expected = mine.OrderBy(r => r.CreatedAt).ThenBy(r => r.Id, StringComparer.Ordinal).Select(r => r.Id);
        pages.SelectMany(p => p.Items).Select(r => r.Id).Should().Equal(expected);
        (await Manager.ListAsync()).Should().HaveCount(15);
    }

    [Fact]
    public async Task Rows_written_before_the_order_column_existed_are_filled_in_and_listed_in_creation_order()
    {
        var older = await Manager.CreateAsync(new ApiKeyCreateRequest { Owner = "a" });
        _time.Advance(TimeSpan.FromMinutes(1));
        var newer = await Manager.CreateAsync(new ApiKeyCreateRequest { Owner = "a" });
        await using (var db = _database.CreateContext())
        {
            await db.Database.ExecuteSqlRawAsync("UPDATE \"StrataApiKeys\" SET \"CreatedAtUtcTicks\" = 0"); // as after the migration
        }

        var page = await Manager.ListPageAsync(new ApiKeyQuery { Owner = "a", Limit = 1 });
        var next = await Manager.ListPageAsync(new ApiKeyQuery { Owner = "a", Limit = 1, Cursor = page.NextCursor });

        page.Items.Select(r => r.Id).Concat(next.Items.Select(r => r.Id)).Should().Equal(older.Record.Id, newer.Record.Id);
        await using var check = _database.CreateContext();
        (await check.Set<ApiKeyEntity>().AsNoTracking().ToListAsync()).Should().OnlyContain(r => r.CreatedAtUtcTicks == r.CreatedAt.UtcTicks && r.Version == 1);
    }

    [Fact]
    public async Task A_revoked_key_is_deleted_for_good_and_an_active_one_is_refused()
    {
        var created = await Manager.CreateAsync(new ApiKeyCreateRequest { Owner = "a", Scopes = ["jobs:read"] });
        (await GetAsync("/jobs", created.Key)).StatusCode.Should().Be(HttpStatusCode.OK);

        await FluentActions.Awaiting(() => Manager.DeleteAsync(created.Record.Id)).Should().ThrowAsync<InvalidOperationException>().WithMessage("*RevokeAsync*");
        await Manager.RevokeAsync(created.Record.Id);
        (await Manager.DeleteAsync(created.Record.Id)).Should().BeTrue();

        (await GetAsync("/jobs", created.Key)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await Manager.GetAsync(created.Record.Id)).Should().BeNull();
        (await Manager.DeleteAsync(created.Record.Id)).Should().BeFalse();
        await using var db = _database.CreateContext();
        (await db.Set<ApiKeyEntity>().CountAsync()).Should().Be(0);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _database.Dispose();
    }

    private Task<HttpResponseMessage> GetAsync(string path, string key)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add(ApiKeyDefaults.HeaderName, key);
        return _client.SendAsync(request);
    }
}
