using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Strata.ApiKeys.Internal;

namespace Strata.ApiKeys.Tests;

public sealed class AuthenticationHandlerTests
{
    [Fact]
    public async Task Request_with_valid_key_gets_200_with_key_id_owner_and_scopes_as_claims()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.CreateKeyAsync("jobs:write", "analyze");

        var response = await app.GetAsync("/me", created.Key);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        body.GetProperty("id").GetString().Should().Be(created.Record.Id);
        body.GetProperty("owner").GetString().Should().Be("owner-1");
        body.GetProperty("name").GetString().Should().Be("owner-1");
        body.GetProperty("scopes").EnumerateArray().Select(e => e.GetString()).Should().BeEquivalentTo("jobs:write", "analyze");
        body.GetProperty("featureId").GetString().Should().Be(created.Record.Id);
        body.GetProperty("featureScheme").GetString().Should().Be(ApiKeyDefaults.AuthenticationScheme);
    }

    [Fact]
    public async Task Request_without_key_to_protected_endpoint_gets_401_with_challenge_and_problem_details()
    {
        await using var app = await TestApp.StartAsync(auth: o => o.Realm = "strata");

        var response = await app.GetAsync("/me", key: null);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        response.Headers.WwwAuthenticate.ToString().Should().Be("ApiKey realm=\"strata\"");
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("status").GetInt32().Should().Be(401);
        problem.GetProperty("title").GetString().Should().Be("Unauthorized");
        problem.GetProperty("detail").GetString().Should().Be("An API key is required. Send your API key in the X-Api-Key header.");
    }

    [Fact]
    public async Task Request_without_key_to_anonymous_endpoint_gets_200()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.GetAsync("/open", key: null);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Be("open");
    }

    [Fact]
    public async Task Request_with_unknown_well_formed_key_gets_401_after_one_store_lookup()
    {
        await using var app = await TestApp.StartAsync();
        var unknown = ApiKeyFormat.Generate("sk_test");

        var response = await app.GetAsync("/me", unknown);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString().Should().Be("The API key is not valid.");
        app.Store.FindByHashCalls.Should().Be(1);
    }

    [Fact]
    public async Task Request_with_revoked_key_gets_401_and_no_store_write()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.CreateKeyAsync();
        (await app.GetAsync("/me", created.Key)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await app.Manager.RevokeAsync(created.Record.Id)).Should().BeTrue();
        var writesBefore = app.Store.WriteCalls;

        var response = await app.GetAsync("/me", created.Key);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString().Should().Be("The API key has been revoked.");
        app.Store.WriteCalls.Should().Be(writesBefore);
        app.Store.LastUsedWrites.Should().Be(0);
    }

    [Fact]
    public async Task Disabled_key_gets_401_until_enabled_again()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.CreateKeyAsync();

        await app.Manager.DisableAsync(created.Record.Id);
        var disabled = await app.GetAsync("/me", created.Key);
        await app.Manager.EnableAsync(created.Record.Id);
        var enabled = await app.GetAsync("/me", created.Key);

        disabled.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await disabled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString().Should().Be("The API key is disabled.");
        enabled.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Key_stops_working_at_its_expiry_even_while_cached()
    {
        await using var app = await TestApp.StartAsync(keys: o => o.CacheDuration = TimeSpan.FromHours(1));
        var created = await app.Manager.CreateAsync(new ApiKeyCreateRequest { Owner = "o", ExpiresAt = app.Time.GetUtcNow().AddMinutes(10) });

        var before = await app.GetAsync("/me", created.Key);
        app.Time.Advance(TimeSpan.FromMinutes(10));
        var after = await app.GetAsync("/me", created.Key);

        before.StatusCode.Should().Be(HttpStatusCode.OK);
        after.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await after.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString().Should().Be("The API key has expired.");
        app.Store.FindByHashCalls.Should().Be(1, "the second request was served from the cache and still saw the expiry");
    }

    [Fact]
    public async Task Key_without_required_scope_gets_403_problem_details()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.CreateKeyAsync("analyze");

        var request = new HttpRequestMessage(HttpMethod.Post, "/jobs");
        request.Headers.Add(ApiKeyDefaults.HeaderName, created.Key);
        var response = await app.Client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("status").GetInt32().Should().Be(403);
        problem.GetProperty("detail").GetString().Should().Contain("scope");
    }

    [Fact]
    public async Task Key_with_required_scope_passes_RequireScope_and_the_policy_helper()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.CreateKeyAsync("jobs:write");

        var request = new HttpRequestMessage(HttpMethod.Post, "/jobs");
        request.Headers.Add(ApiKeyDefaults.HeaderName, created.Key);
        var jobs = await app.Client.SendAsync(request);
        var policy = await app.GetAsync("/policy", created.Key);

        jobs.StatusCode.Should().Be(HttpStatusCode.Accepted);
        policy.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task RequireScope_with_several_scopes_requires_all_of_them()
    {
        await using var app = await TestApp.StartAsync();
        var one = await app.CreateKeyAsync("jobs:write");
        var both = await app.CreateKeyAsync("jobs:write", "jobs:read");

        (await app.GetAsync("/both", one.Key)).StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await app.GetAsync("/both", both.Key)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Authorization_header_is_ignored_unless_enabled()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.CreateKeyAsync();

        var request = new HttpRequestMessage(HttpMethod.Get, "/me");
        request.Headers.TryAddWithoutValidation("Authorization", "ApiKey " + created.Key);
        var response = await app.Client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString().Should().Be("An API key is required. Send your API key in the X-Api-Key header.");
    }

    [Theory]
    [InlineData("ApiKey")]
    [InlineData("apikey")]
    [InlineData("Bearer")]
    public async Task Authorization_header_carries_the_key_when_enabled(string scheme)
    {
        await using var app = await TestApp.StartAsync(auth: o =>
        {
            o.AllowAuthorizationHeader = true;
            o.AllowBearerToken = true;
        });
        var created = await app.CreateKeyAsync();

        var request = new HttpRequestMessage(HttpMethod.Get, "/me");
        request.Headers.TryAddWithoutValidation("Authorization", scheme + " " + created.Key);
        var response = await app.Client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Bearer_token_without_the_prefix_is_left_to_other_schemes()
    {
        await using var app = await TestApp.StartAsync(auth: o => o.AllowBearerToken = true);

        var request = new HttpRequestMessage(HttpMethod.Get, "/me");
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig");
        var response = await app.Client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString().Should().StartWith("An API key is required.", "the handler returned NoResult, not Fail");
        app.Store.FindByHashCalls.Should().Be(0);
    }

    [Fact]
    public async Task Query_string_is_off_by_default_and_works_when_enabled()
    {
        await using var off = await TestApp.StartAsync();
        var offKey = await off.CreateKeyAsync();
        await using var on = await TestApp.StartAsync(auth: o => o.QueryParameterName = "api_key");
        var onKey = await on.CreateKeyAsync();

        var offResponse = await off.Client.GetAsync("/me?api_key=" + offKey.Key);
        var onResponse = await on.Client.GetAsync("/me?api_key=" + onKey.Key);

        offResponse.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        onResponse.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Several_header_names_are_read_in_order()
    {
        await using var app = await TestApp.StartAsync(auth: o =>
        {
            o.HeaderNames.Clear();
            o.HeaderNames.Add("X-Primary-Key");
            o.HeaderNames.Add("X-Legacy-Key");
        });
        var created = await app.CreateKeyAsync();

        var request = new HttpRequestMessage(HttpMethod.Get, "/me");
        request.Headers.Add("X-Legacy-Key", created.Key);
        var legacy = await app.Client.SendAsync(request);
        var defaultHeader = await app.GetAsync("/me", created.Key);

        legacy.StatusCode.Should().Be(HttpStatusCode.OK);
        defaultHeader.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "X-Api-Key is no longer in the list");
    }

    [Fact]
    public async Task Events_can_add_claims_observe_failures_and_replace_the_challenge_and_forbidden_responses()
    {
        var failures = new List<ApiKeyFailureReason>();
        await using var app = await TestApp.StartAsync(auth: o => o.Events = new ApiKeyEvents
        {
            OnValidated = context =>
            {
                ((System.Security.Claims.ClaimsIdentity)context.Principal!.Identity!).AddClaim(new System.Security.Claims.Claim("extra", context.Record.Owner + "!"));
                return Task.CompletedTask;
            },
            OnAuthenticationFailed = context =>
            {
                failures.Add(context.Reason);
                return Task.CompletedTask;
            },
            OnChallenge = async context =>
            {
                context.HandleResponse();
                context.Response.StatusCode = 401;
                await context.Response.WriteAsync("custom challenge: " + context.Reason);
            },
            OnForbidden = async context =>
            {
                context.HandleResponse();
                context.Response.StatusCode = 403;
                await context.Response.WriteAsync("custom forbidden");
            },
        });
        var created = await app.CreateKeyAsync();

        var me = await app.Manager.GetAsync(created.Record.Id);
        var ok = await app.GetAsync("/me", created.Key);
        var bad = await app.GetAsync("/me", "sk_test_nope");
        var forbidden = await app.GetAsync("/both", created.Key);

        me.Should().NotBeNull();
        (await ok.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("extra").GetString().Should().Be("owner-1!");
        (await bad.Content.ReadAsStringAsync()).Should().Be("custom challenge: Malformed");
        (await forbidden.Content.ReadAsStringAsync()).Should().Be("custom forbidden");
        failures.Should().Equal(ApiKeyFailureReason.Malformed);
    }

    [Fact]
    public async Task Validated_event_can_reject_a_key()
    {
        await using var app = await TestApp.StartAsync(auth: o => o.Events.OnValidated = context =>
        {
            context.Fail("owner suspended");
            return Task.CompletedTask;
        });
        var created = await app.CreateKeyAsync();

        var response = await app.GetAsync("/me", created.Key);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Store_failure_gets_503_problem_details_and_is_logged_without_the_key()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.CreateKeyAsync();
        app.Store.ThrowOnFind = new InvalidOperationException("database is down");

        var response = await app.GetAsync("/me", created.Key);

        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("status").GetInt32().Should().Be(503);
        app.Logs.GetSnapshot().Should().Contain(r => r.Id.Name == "StoreLookupFailed");
        app.AllLogText().Should().NotContain(line => line.Contains(created.Key, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("10.0.0.1", "10.0.0.1", true, true)]
    [InlineData("10.0.0.0/8", "10.200.3.4", true, true)]
    [InlineData("10.0.0.0/8", "11.0.0.1", true, false)]
    [InlineData("2001:db8::/32", "2001:db8:ffff::1", true, true)]
    [InlineData("::ffff:192.0.2.1", "192.0.2.1", true, true)]
    [InlineData("192.0.2.1", "::ffff:192.0.2.1", true, true)]
    [InlineData("10.1", "10.0.0.1", false, false)]          // legacy short form: not an address here, so it allows nothing
    [InlineData("010.0.0.1", "8.0.0.1", false, false)]      // legacy octal form
    [InlineData("10.0.0.0/8 ", "10.0.0.1", false, false)]   // stray text after the prefix length
    public void Allow_list_entries_are_parsed_strictly(string entry, string client, bool valid, bool allowed)
    {
        AddressAllowList.Allows([entry], IPAddress.Parse(client)).Should().Be(allowed);
        AddressAllowList.IsValidEntry(entry).Should().Be(valid);
    }

    [Fact]
    public async Task Key_with_allow_list_works_only_from_allowed_networks()
    {
        await using var app = await TestApp.StartAsync();
        var created = await app.Manager.CreateAsync(new ApiKeyCreateRequest { Owner = "o", AllowedNetworks = ["10.0.0.0/8", "2001:db8::1"] });

        var inside = await app.GetAsync("/me", created.Key, "10.1.2.3");
        var single = await app.GetAsync("/me", created.Key, "2001:db8::1");
        var outside = await app.GetAsync("/me", created.Key, "192.168.1.10");

        inside.StatusCode.Should().Be(HttpStatusCode.OK);
        single.StatusCode.Should().Be(HttpStatusCode.OK);
        outside.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await outside.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString().Should().Be("The API key may not be used from this address.");
    }

    [Fact]
    public async Task Two_api_key_schemes_with_different_prefixes_coexist()
    {
        await using var app = await TestApp.StartAsync(
            services: b => b.Services.AddAuthentication().AddApiKey("Partner", o =>
            {
                o.Prefix = "pk_live";
                o.HeaderNames.Clear();
                o.HeaderNames.Add("X-Partner-Key");
            }),
            endpoints: a => a.MapGet("/partner", (HttpContext c) => c.Features.Get<IApiKeyFeature>()!.Scheme)
                .RequireAuthorization(p => p.AddAuthenticationSchemes("Partner").RequireAuthenticatedUser()));
        var partner = await app.Manager.CreateAsync(new ApiKeyCreateRequest { Owner = "partner", Prefix = "pk_live" });

        var request = new HttpRequestMessage(HttpMethod.Get, "/partner");
        request.Headers.Add("X-Partner-Key", partner.Key);
        var response = await app.Client.SendAsync(request);
        var onDefaultScheme = await app.GetAsync("/me", partner.Key);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await response.Content.ReadAsStringAsync()).Should().Be("Partner");
        onDefaultScheme.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the default scheme accepts sk_test keys only");
    }
}
