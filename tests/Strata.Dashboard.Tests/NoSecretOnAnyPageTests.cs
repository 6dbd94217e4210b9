using System.Buffers.Text;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Strata.ApiKeys;

namespace Strata.Dashboard.Tests;

/// <summary>Every page of a host with all three packages, and its logs, searched for the keys' plaintexts, their stored hashes and the pepper.</summary>
public sealed class NoSecretOnAnyPageTests
{
    [Fact]
    public async Task No_page_or_log_line_shows_a_plaintext_key_a_stored_hash_or_the_pepper()
    {
        await using var app = await PackageHosts.StartAsync(jobs: true, rateLimits: true, apiKeys: true);
        var keys = app.Keys();
        var created = new List<CreatedApiKey>
        {
            await keys.CreateAsync(new ApiKeyCreateRequest { Owner = "team-a", Name = "export", Scopes = ["analyze"] }),
            await keys.CreateAsync(new ApiKeyCreateRequest { Owner = "team-b" }),
            await keys.CreateAsync(new ApiKeyCreateRequest { Owner = "team-b", Name = "gone" }),
        };
        await keys.RevokeAsync(created[2].Record.Id);
        foreach (var key in created)
        {
            await app.CallWithKeyAsync(key.Key);   // last used, and a cached lookup
            await app.CallAsClientAsync("/api/limited", key.Record.Id);
        }

        using var ops = app.Browser();
        var pages = new List<TestBrowser.Page>();
        var rotate = await ops.OpenAsync($"/strata/keys/{created[0].Record.Id}/rotate");
        var rotated = await ops.SubmitAsync(rotate, "/rotate");
        rotated.Status.Should().Be(HttpStatusCode.OK);
        var successor = TestBrowser.Text(rotated, "#new-key");
        pages.Add(await ops.SubmitAsync(rotate, "/rotate"));   // the 409 of sending it again

        var ids = (await keys.ListAsync()).Select(k => k.Id).ToArray();
        ids.Should().HaveCount(4);
        foreach (var url in (string[])["/strata", "/strata/queues", "/strata/jobs", "/strata/dead", "/strata/schedules", "/strata/ratelimits",
                     "/strata/keys", "/strata/keys?owner=team-b", "/strata/keys?cursor=bad", "/strata/keys/unknown/revoke"])
        {
            pages.Add(await ops.GetAsync(url));
        }

        foreach (var id in ids)
        {
            pages.Add(await ops.GetAsync($"/strata/keys/{id}/revoke"));
            pages.Add(await ops.GetAsync($"/strata/keys/{id}/rotate"));
        }

        var secrets = new List<string> { PackageHosts.Pepper, successor };
        secrets.AddRange(created.Select(k => k.Key));
        var store = app.App.Services.GetRequiredService<IApiKeyStore>();
        foreach (var id in ids)
        {
            var hash = (await store.FindByIdAsync(id))!.Hash;
            var bytes = Convert.FromHexString(hash);
            secrets.AddRange([hash.ToLowerInvariant(), hash.ToUpperInvariant(), Convert.ToBase64String(bytes), Base64Url.EncodeToString(bytes)]);
        }

        pages.Should().HaveCount(19);
        pages.Select(p => p.Status).Should().Contain([HttpStatusCode.OK, HttpStatusCode.BadRequest, HttpStatusCode.NotFound, HttpStatusCode.Conflict]);
        foreach (var page in pages)
        {
            foreach (var secret in secrets)
            {
                page.Body.Should().NotContain(secret);
            }
        }

        foreach (var secret in secrets.Where(s => s != successor))
        {
            rotated.Body.Should().NotContain(secret, "the rotation page shows the new key only");
        }

        var logs = app.App.Services.GetFakeLogCollector().GetSnapshot();
        logs.Should().NotBeEmpty();
        foreach (var record in logs)
        {
            foreach (var secret in secrets)
            {
                (record.Message + " " + record.Exception).Should().NotContain(secret, "no log line carries a key, a hash or the pepper");
            }
        }
    }
}
