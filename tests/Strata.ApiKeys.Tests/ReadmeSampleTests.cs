using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Strata.ApiKeys.Tests;

/// <summary>The README's Program.cs, as written there (plus UseTestServer), so the sample keeps compiling and working.</summary>
public sealed class ReadmeSampleTests
{
    [Fact]
    public async Task Readme_program_authenticates_a_created_key_and_enforces_its_scope()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();

        // --- README: the Program.cs ---
        builder.Services.AddAuthentication(ApiKeyDefaults.AuthenticationScheme)
            .AddApiKey(options => options.Prefix = "sk_live");
        builder.Services.AddAuthorization();

        builder.Services.AddStrataApiKeys()            // IApiKeyManager, hashing, cache, last-used tracking
            .UseInMemoryStore();

        await using var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapGet("/v1/me", (ClaimsPrincipal user) => user.FindFirstValue(ApiKeyClaimTypes.KeyId))
           .RequireAuthorization();
        app.MapPost("/v1/jobs", () => Results.Accepted()).RequireScope("jobs:write");

        // --- README: "Create a key" ---
        var manager = app.Services.GetRequiredService<IApiKeyManager>();
        CreatedApiKey created = await manager.CreateAsync(new ApiKeyCreateRequest
        {
            Owner = "team-analytics",
            Name = "nightly export",
            Scopes = ["jobs:write", "analyze"],
            ExpiresAt = DateTimeOffset.UtcNow.AddDays(90),
            Metadata = new Dictionary<string, string> { ["ticket"] = "OPS-42" },
        });

        await app.StartAsync();
        var client = app.GetTestClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", created.Key);

        (await client.GetStringAsync("/v1/me")).Should().Be(created.Record.Id);
        (await client.PostAsync("/v1/jobs", content: null)).StatusCode.Should().Be(HttpStatusCode.Accepted);

        var readOnly = await manager.CreateAsync(new ApiKeyCreateRequest { Owner = "team-analytics", Scopes = ["analyze"] });
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/jobs");
        request.Headers.Add("X-Api-Key", readOnly.Key);
        var forbidden = await app.GetTestClient().SendAsync(request);
        forbidden.StatusCode.Should().Be(HttpStatusCode.Forbidden);

        // --- README: "Changing a key" (its `var manager = ...` line is the one above) ---
        ApiKeyRecord key = (await manager.ListAsync("team-analytics"))[0];    // or GetAsync(the id you kept)
        key.Id.Should().Be(created.Record.Id, "keys are listed in creation order");
        // A customer upgrades: same key, new scopes and plan. Null properties stay as they are.
        ApiKeyRecord? upgraded = await manager.UpdateAsync(key.Id, new ApiKeyUpdate
        {
            Scopes = ["jobs:write", "analyze", "reports:read"],
            Metadata = new Dictionary<string, string> { ["ticket"] = "OPS-42", ["plan"] = "pro" },
        });

        upgraded!.Scopes.Should().Equal("jobs:write", "analyze", "reports:read");
        upgraded.Name.Should().Be("nightly export");
        (await client.GetStringAsync("/v1/me")).Should().Be(created.Record.Id, "the same key still works");

        // --- README: "Listing many keys" (its `var manager = ...` line is the one above) ---
        var listed = new List<string>();
        string? cursor = null;
        do
        {
            ApiKeyPage page = await manager.ListPageAsync(new ApiKeyQuery { Owner = "team-analytics", Limit = 100, Cursor = cursor });
            foreach (ApiKeyRecord listedKey in page.Items)
            {
                Console.WriteLine($"{listedKey.Id} {listedKey.Name} {string.Join(' ', listedKey.Scopes)}");
                listed.Add(listedKey.Id);
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);

        listed.Should().BeEquivalentTo([created.Record.Id, readOnly.Record.Id]);

        // --- README: IApiKeyManager table, DeleteAsync ---
        await manager.RevokeAsync(readOnly.Record.Id);
        (await manager.DeleteAsync(readOnly.Record.Id)).Should().BeTrue();
        (await manager.ListAsync("team-analytics")).Select(r => r.Id).Should().Equal(created.Record.Id);
    }
}
