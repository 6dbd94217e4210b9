using System.Net;

namespace Strata.ApiKeys.Tests;

/// <summary><see cref="IApiKeyManager.ListPageAsync"/> and <see cref="IApiKeyManager.DeleteAsync"/> on the in-memory store.</summary>
public sealed class KeyListingAndDeleteTests
{
    [Fact]
    public async Task Pages_through_one_owner_s_keys_created_in_the_same_millisecond_without_skipping_or_repeating_one()
    {
        await using var app = await TestApp.StartAsync();
        var mine = new List<ApiKeyRecord>();
        for (var i = 0; i < 7; i++)
        {
            mine.Add((await app.Manager.CreateAsync(new ApiKeyCreateRequest { Owner = "a" })).Record);
            await app.Manager.CreateAsync(new ApiKeyCreateRequest { Owner = "b" });
        }

        app.Time.Advance(TimeSpan.FromMilliseconds(1));
        mine.Add((await app.Manager.CreateAsync(new ApiKeyCreateRequest { Owner = "a" })).Record);

        var pages = await AllPagesAsync(app.Manager, "a", limit: 3);

        pages.Select(p => p.Items.Count).Should().Equal(3, 3, 2);
        pages.Select(p => p.NextCursor is null).Should().Equal(false, false, true);
        var expected = mine.OrderBy(r => r.CreatedAt).ThenBy(r => r.Id, StringComparer.Ordinal).Select(r => r.Id);
        pages.SelectMany(p => p.Items).Select(r => r.Id).Should().Equal(expected, "creation time, then id; every key once");
        (await app.Manager.ListAsync("a")).Select(r => r.Id).Should().Equal(expected, "the simple overload lists the same");
    }

    [Fact]
    public async Task A_full_last_page_has_no_cursor_and_a_key_created_meanwhile_comes_on_a_later_page()
    {
        await using var app = await TestApp.StartAsync();
        for (var i = 0; i < 4; i++)
        {
            await app.Manager.CreateAsync(new ApiKeyCreateRequest { Owner = "a" });
        }

        var first = await app.Manager.ListPageAsync(new ApiKeyQuery { Owner = "a", Limit = 2 });
        app.Time.Advance(TimeSpan.FromSeconds(1));
        var late = await app.Manager.CreateAsync(new ApiKeyCreateRequest { Owner = "a" });
        var second = await app.Manager.ListPageAsync(new ApiKeyQuery { Owner = "a", Limit = 2, Cursor = first.NextCursor });
        var third = await app.Manager.ListPageAsync(new ApiKeyQuery { Owner = "a", Limit = 2, Cursor = second.NextCursor });

        first.Items.Should().HaveCount(2);
        second.Items.Should().HaveCount(2).And.NotContain(r => first.Items.Contains(r));
        third.Items.Select(r => r.Id).Should().Equal(late.Record.Id);
        third.NextCursor.Should().BeNull();
        (await app.Manager.ListPageAsync(new ApiKeyQuery { Owner = "nobody" })).Should().BeEquivalentTo(new ApiKeyPage { Items = [], NextCursor = null });
    }

    [Theory]
    [InlineData(0, null, "*Limit*1 to 1000*")]
    [InlineData(1001, null, "*Limit*1 to 1000*")]
    [InlineData(10, "not a cursor", "*Cursor*NextCursor*")]
    [InlineData(10, "MTIz", "*Cursor*")] // "123": no id part
    public async Task Bad_limit_or_cursor_throws_an_ArgumentException_naming_it(int limit, string? cursor, string message)
    {
        await using var app = await TestApp.StartAsync();

        var list = () => app.Manager.ListPageAsync(new ApiKeyQuery { Limit = limit, Cursor = cursor });

        await list.Should().ThrowAsync<ArgumentException>().WithMessage(message);
    }

    [Fact]
    public async Task Deleting_a_key_that_is_not_revoked_is_refused_naming_RevokeAsync()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.CreateKeyAsync();

        var delete = () => app.Manager.DeleteAsync(created.Record.Id);

        await delete.Should().ThrowAsync<InvalidOperationException>().WithMessage($"*{created.Record.Id}*not revoked*RevokeAsync*");
        (await app.GetAsync("/me", created.Key)).StatusCode.Should().Be(HttpStatusCode.OK, "nothing was deleted");
    }

    [Fact]
    public async Task Deleting_a_revoked_key_removes_it_from_the_store_and_the_cache()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.CreateKeyAsync();
        (await app.GetAsync("/me", created.Key)).StatusCode.Should().Be(HttpStatusCode.OK);
        await app.Manager.RevokeAsync(created.Record.Id);
        (await app.GetAsync("/me", created.Key)).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "revoked (and cached as revoked)");
        var lookups = app.Store.FindByHashCalls;

        (await app.Manager.DeleteAsync(created.Record.Id)).Should().BeTrue();

        (await app.Manager.GetAsync(created.Record.Id)).Should().BeNull();
        (await app.Store.Inner.FindByHashAsync(ApiKeyFormat.ComputeHash(created.Key))).Should().BeNull();
        (await app.Manager.ListAsync()).Should().BeEmpty();
        (await app.GetAsync("/me", created.Key)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        app.Store.FindByHashCalls.Should().Be(lookups + 1, "the cached lookup was dropped, so the store was asked again");
        app.AllLogText().Should().Contain(l => l.Contains("deleted", StringComparison.Ordinal) && l.Contains(created.Record.Id, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Deleting_an_unknown_key_returns_false()
    {
        await using var app = await TestApp.StartAsync();

        (await app.Manager.DeleteAsync("key_missing")).Should().BeFalse();
        app.Store.WriteCalls.Should().Be(0);
    }

    internal static async Task<List<ApiKeyPage>> AllPagesAsync(IApiKeyManager manager, string? owner, int limit)
    {
        var pages = new List<ApiKeyPage>();
        string? cursor = null;
        do
        {
            var page = await manager.ListPageAsync(new ApiKeyQuery { Owner = owner, Limit = limit, Cursor = cursor });
            pages.Add(page);
            cursor = page.NextCursor;
        }
        while (cursor is not null && pages.Count < 100);

        return pages;
    }
}
