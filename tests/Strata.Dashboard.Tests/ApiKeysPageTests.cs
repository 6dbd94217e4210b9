using System.Net;
using Strata.ApiKeys;

namespace Strata.Dashboard.Tests;

/// <summary>The API-keys page and its actions, checked through <see cref="IApiKeyManager"/> and real requests with the keys.</summary>
public sealed class ApiKeysPageTests
{
    [Fact]
    public async Task The_list_shows_each_key_with_owner_scopes_and_state_and_filters_by_owner()
    {
        await using var app = await PackageHosts.StartAsync(apiKeys: true);
        var keys = app.Keys();
        var active = await keys.CreateAsync(new ApiKeyCreateRequest { Owner = "team-a", Name = "export", Scopes = ["jobs:write", "analyze"] });
        var disabled = await keys.CreateAsync(new ApiKeyCreateRequest { Owner = "team-a", Name = "old" });
        var revoked = await keys.CreateAsync(new ApiKeyCreateRequest { Owner = "team-b" });
        await keys.DisableAsync(disabled.Record.Id);
        await keys.RevokeAsync(revoked.Record.Id);
        using var ops = app.Browser();

        var page = await ops.OpenAsync("/strata/keys");
        State(page, active.Record.Id).Should().Be("active");
        State(page, disabled.Record.Id).Should().Be("disabled");
        State(page, revoked.Record.Id).Should().Be("revoked");
        var row = page.Document.QuerySelector($"tr[data-key='{active.Record.Id}']")!.TextContent;
        row.Should().Contain("export").And.Contain("team-a").And.Contain("jobs:write, analyze");
        page.Document.QuerySelector($"tr[data-key='{revoked.Record.Id}'] form").Should().BeNull("a revoked key has no action left");

        var filtered = await ops.OpenAsync("/strata/keys?owner=team-b");
        filtered.Document.QuerySelectorAll("tr[data-key]").Select(r => r.GetAttribute("data-key")).Should().Equal(revoked.Record.Id);
    }

    [Fact]
    public async Task Keys_page_by_cursor_and_a_cursor_the_manager_never_returned_is_a_400()
    {
        await using var app = await PackageHosts.StartAsync(apiKeys: true);
        for (var i = 0; i < 55; i++)
        {
            await app.Keys().CreateAsync(new ApiKeyCreateRequest { Owner = "bulk" });
        }

        using var ops = app.Browser();
        var first = await ops.OpenAsync("/strata/keys?owner=bulk");
        first.Document.QuerySelectorAll("tr[data-key]").Should().HaveCount(50);
        var next = first.Document.QuerySelectorAll("a").Single(a => a.TextContent == "Next page").GetAttribute("href")!;
        var second = await ops.OpenAsync(next);
        second.Document.QuerySelectorAll("tr[data-key]").Should().HaveCount(5);
        second.Document.QuerySelectorAll("a").Should().NotContain(a => a.TextContent == "Next page");

        var bad = await ops.GetAsync("/strata/keys?cursor=not-a-cursor");
        bad.Status.Should().Be(HttpStatusCode.BadRequest);
        TestBrowser.Text(bad, "[role=alert]").Should().NotBeEmpty();
    }

    [Fact]
    public async Task Disable_then_enable_a_key_and_its_requests_follow()
    {
        await using var app = await PackageHosts.StartAsync(apiKeys: true);
        var key = await app.Keys().CreateAsync(new ApiKeyCreateRequest { Owner = "team-a" });
        (await app.CallWithKeyAsync(key.Key)).Should().Be(HttpStatusCode.OK);
        using var ops = app.Browser();

        var disabled = await ops.SubmitAsync(await ops.OpenAsync("/strata/keys"), $"/keys/{key.Record.Id}/disable");
        disabled.Status.Should().Be(HttpStatusCode.SeeOther);
        disabled.Headers.Location!.ToString().Should().Be("/strata/keys");
        (await app.Keys().GetAsync(key.Record.Id))!.IsDisabled.Should().BeTrue();
        (await app.CallWithKeyAsync(key.Key)).Should().Be(HttpStatusCode.Unauthorized);

        (await ops.SubmitAsync(await ops.OpenAsync("/strata/keys"), $"/keys/{key.Record.Id}/enable")).Status.Should().Be(HttpStatusCode.SeeOther);
        (await app.Keys().GetAsync(key.Record.Id))!.IsDisabled.Should().BeFalse();
        (await app.CallWithKeyAsync(key.Key)).Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Revoke_through_its_confirmation_and_the_keys_next_request_gets_401()
    {
        await using var app = await PackageHosts.StartAsync(apiKeys: true);
        var key = await app.Keys().CreateAsync(new ApiKeyCreateRequest { Owner = "team-a" });
        (await app.CallWithKeyAsync(key.Key)).Should().Be(HttpStatusCode.OK);
        using var ops = app.Browser();
        var list = await ops.OpenAsync("/strata/keys");
        TestBrowser.FindForm(list, "/revoke").Should().BeNull("revoking goes through a confirmation page first");

        var link = list.Document.QuerySelectorAll("a").Single(a => a.TextContent == "Revoke…").GetAttribute("href")!;
        var confirm = await ops.OpenAsync(link);
        TestBrowser.Text(confirm, "main").Should().Contain("for good");
        var revoked = await ops.SubmitAsync(confirm, $"/keys/{key.Record.Id}/revoke");

        revoked.Status.Should().Be(HttpStatusCode.SeeOther);
        (await app.Keys().GetAsync(key.Record.Id))!.RevokedAt.Should().NotBeNull();
        (await app.CallWithKeyAsync(key.Key)).Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Rotate_shows_the_new_key_once_and_sending_the_form_again_does_not()
    {
        await using var app = await PackageHosts.StartAsync(apiKeys: true);
        var key = await app.Keys().CreateAsync(new ApiKeyCreateRequest { Owner = "team-a", Scopes = ["analyze"] });
        using var ops = app.Browser();
        var confirm = await ops.OpenAsync($"/strata/keys/{key.Record.Id}/rotate");
        var form = TestBrowser.FindForm(confirm, "/rotate")!;
        var fields = form.Elements.OfType<AngleSharp.Html.Dom.IHtmlInputElement>().Where(i => i.Name is not null).ToDictionary(i => i.Name!, i => i.Value);
        fields["overlap"] = "1h";
        var before = DateTimeOffset.UtcNow;

        var rotated = await ops.PostAsync(form.GetAttribute("action")!, fields);
        rotated.Status.Should().Be(HttpStatusCode.OK);
        rotated.Headers.CacheControl!.NoStore.Should().BeTrue();
        var newKey = TestBrowser.Text(rotated, "#new-key");
        newKey.Should().NotBe(key.Key);
        (await app.CallWithKeyAsync(newKey)).Should().Be(HttpStatusCode.OK);
        (await app.Keys().GetAsync(key.Record.Id))!.ExpiresAt.Should().BeCloseTo(before.AddHours(1), TimeSpan.FromMinutes(1));
        var successor = (await app.Keys().GetAsync(key.Record.Id))!.ReplacedById!;
        (await app.Keys().GetAsync(successor))!.Scopes.Should().Equal("analyze");

        var again = await ops.PostAsync(form.GetAttribute("action")!, fields);
        again.Status.Should().Be(HttpStatusCode.Conflict);
        again.Body.Should().NotContain(newKey);
        (await ops.OpenAsync("/strata/keys")).Body.Should().NotContain(newKey);
        (await app.Keys().ListAsync("team-a")).Should().HaveCount(2, "the second post created nothing");
    }

    [Fact]
    public async Task An_overlap_not_offered_is_a_400_and_an_unknown_key_a_404()
    {
        await using var app = await PackageHosts.StartAsync(apiKeys: true);
        var key = await app.Keys().CreateAsync(new ApiKeyCreateRequest { Owner = "team-a" });
        using var ops = app.Browser();
        var confirm = await ops.OpenAsync($"/strata/keys/{key.Record.Id}/rotate");

        var bad = await ops.SubmitAsync(confirm, "/rotate", f => f["overlap"] = "100y");
        bad.Status.Should().Be(HttpStatusCode.BadRequest);
        TestBrowser.Text(bad, "[role=alert]").Should().Contain("0, 1h, 24h, 7d");
        (await app.Keys().GetAsync(key.Record.Id))!.ReplacedById.Should().BeNull();

        (await ops.GetAsync("/strata/keys/no-such-key/revoke")).Status.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Read_only_hides_every_key_action_and_refuses_each_with_403()
    {
        await using var app = await PackageHosts.StartAsync(apiKeys: true, configure: o =>
        {
            o.AuthorizationPolicy = "strata-admin";
            o.ReadOnly = true;
        });
        var key = await app.Keys().CreateAsync(new ApiKeyCreateRequest { Owner = "team-a" });
        using var ops = app.Browser();
        var list = await ops.OpenAsync("/strata/keys");
        list.Document.QuerySelectorAll("form[method=post]").Should().BeEmpty();
        list.Document.QuerySelectorAll("a").Should().NotContain(a => a.TextContent == "Revoke…" || a.TextContent == "Rotate…");
        (await ops.OpenAsync($"/strata/keys/{key.Record.Id}/rotate")).Document.QuerySelectorAll("form[method=post]").Should().BeEmpty();

        foreach (var action in (string[])["disable", "enable", "revoke", "rotate"])
        {
            var refused = await ops.PostAsync($"/strata/keys/{key.Record.Id}/{action}", [new("overlap", "0")]);
            refused.Status.Should().Be(HttpStatusCode.Forbidden, action);
        }

        var after = (await app.Keys().GetAsync(key.Record.Id))!;
        (after.IsDisabled, after.RevokedAt, after.ReplacedById).Should().Be((false, (DateTimeOffset?)null, (string?)null));
        (await app.CallWithKeyAsync(key.Key)).Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Without_the_antiforgery_token_each_key_action_is_a_400_and_nothing_changes()
    {
        await using var app = await PackageHosts.StartAsync(apiKeys: true);
        var key = await app.Keys().CreateAsync(new ApiKeyCreateRequest { Owner = "team-a" });
        using var ops = app.Browser();
        await ops.OpenAsync("/strata/keys");   // the antiforgery cookie is set; only the form field is missing

        foreach (var action in (string[])["disable", "revoke", "rotate"])
        {
            var refused = await ops.PostAsync($"/strata/keys/{key.Record.Id}/{action}", [new("overlap", "0")]);
            refused.Status.Should().Be(HttpStatusCode.BadRequest, action);
            TestBrowser.Text(refused, "[role=alert]").Should().Contain("antiforgery");
        }

        var after = (await app.Keys().GetAsync(key.Record.Id))!;
        (after.IsDisabled, after.RevokedAt, after.ReplacedById).Should().Be((false, (DateTimeOffset?)null, (string?)null));
        (await app.Keys().ListAsync()).Should().HaveCount(1);
    }

    private static string State(TestBrowser.Page page, string id) =>
        TestBrowser.Text(page, $"tr[data-key='{id}'] [data-field=state]").Split(' ')[0];
}
