using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Strata.ApiKeys.Internal;

namespace Strata.ApiKeys.Tests;

/// <summary>
/// The principal of a validated key (issue 23): its claims are created when first read, and then are exactly the
/// claims an eagerly built identity has; every request gets its own principal and identity.
/// </summary>
public sealed class ApiKeyIdentityTests
{
    private const string Scheme = ApiKeyDefaults.AuthenticationScheme;
    private const string Issuer = "issuer-1";

    private static readonly ApiKeyRecord Record = new() { Id = "key_0123456789abcdef", Owner = "owner-1", Scopes = ["jobs:write", "analyze"] };

    /// <summary>Each way of reaching the claims, with what it returns flattened to the key id it saw (or null).</summary>
    public static TheoryData<string> Readers() =>
    [
        "Claims", "FindAll(type)", "FindAll(match)", "FindFirst(type)", "FindFirst(match)", "HasClaim(type, value)",
        "HasClaim(match)", "Name", "AuthenticationType", "Clone", "new ClaimsIdentity(identity)",
        "new ClaimsIdentity(identity, claims)", "Principal.FindFirst", "Principal.HasClaim", "Principal.Claims",
        "Principal.Clone", "AddClaim", "AddClaims", "TryRemoveClaim", "WriteTo",
    ];

    [Fact]
    public void Claims_are_not_created_while_only_authentication_is_asked_about()
    {
        var principal = ApiKeyAuthenticationHandler.CreatePrincipal(Record, Scheme, Issuer);
        var identity = principal.Identity.Should().BeOfType<ApiKeyIdentity>().Subject;

        principal.Identities.Should().ContainSingle().Which.IsAuthenticated.Should().BeTrue();
        identity.NameClaimType.Should().Be(ClaimTypes.Name);
        identity.RoleClaimType.Should().Be(ClaimTypes.Role);

        identity.ClaimsCreated.Should().BeFalse("nothing read a claim yet");
    }

    [Fact]
    public void Claims_once_read_are_the_key_id_owner_name_identifier_name_and_each_scope_with_this_identity_as_subject()
    {
        var principal = ApiKeyAuthenticationHandler.CreatePrincipal(Record, Scheme, Issuer);
        var identity = (ClaimsIdentity)principal.Identity!;

        var claims = identity.Claims.ToList();

        claims.Select(c => (c.Type, c.Value)).Should().Equal(
            (ApiKeyClaimTypes.KeyId, Record.Id),
            (ApiKeyClaimTypes.Owner, Record.Owner),
            (ClaimTypes.NameIdentifier, Record.Id),
            (ClaimTypes.Name, Record.Owner),
            (ApiKeyClaimTypes.Scope, "jobs:write"),
            (ApiKeyClaimTypes.Scope, "analyze"));
        claims.Should().OnlyContain(c => ReferenceEquals(c.Subject, identity) && c.Issuer == Issuer && c.OriginalIssuer == Issuer && c.ValueType == ClaimValueTypes.String);
        identity.Name.Should().Be(Record.Owner);
        identity.AuthenticationType.Should().Be(Scheme);
        identity.Claims.Should().HaveCount(6, "a second read creates nothing more");
    }

    [Theory]
    [MemberData(nameof(Readers))]
    public void Every_way_of_reading_or_changing_claims_sees_the_keys_claims(string reader)
    {
        var principal = ApiKeyAuthenticationHandler.CreatePrincipal(Record, Scheme, Issuer);
        var identity = (ClaimsIdentity)principal.Identity!;
        var extra = new Claim("extra", "1");

        object? seen = reader switch
        {
            "Claims" => identity.Claims.First().Value,
            "FindAll(type)" => identity.FindAll(ApiKeyClaimTypes.KeyId).Single().Value,
            "FindAll(match)" => identity.FindAll(c => c.Type == ApiKeyClaimTypes.KeyId).Single().Value,
            "FindFirst(type)" => identity.FindFirst(ApiKeyClaimTypes.KeyId)!.Value,
            "FindFirst(match)" => identity.FindFirst(c => c.Type == ApiKeyClaimTypes.KeyId)!.Value,
            "HasClaim(type, value)" => identity.HasClaim(ApiKeyClaimTypes.KeyId, Record.Id) ? Record.Id : null,
            "HasClaim(match)" => identity.HasClaim(c => c.Value == Record.Id) ? Record.Id : null,
            "Name" => identity.Name == Record.Owner ? Record.Id : null,
            "AuthenticationType" => identity.AuthenticationType == Scheme ? identity.Claims.First().Value : null,
            "Clone" => identity.Clone().FindFirst(ApiKeyClaimTypes.KeyId)!.Value,
            "new ClaimsIdentity(identity)" => new ClaimsIdentity(identity).FindFirst(ApiKeyClaimTypes.KeyId)!.Value,
            "new ClaimsIdentity(identity, claims)" => new ClaimsIdentity(identity, [extra]).FindFirst(ApiKeyClaimTypes.KeyId)!.Value,
            "Principal.FindFirst" => principal.FindFirstValue(ApiKeyClaimTypes.KeyId),
            "Principal.HasClaim" => principal.HasClaim(ApiKeyClaimTypes.Scope, "analyze") ? Record.Id : null,
            "Principal.Claims" => principal.Claims.First().Value,
            "Principal.Clone" => principal.Clone().FindFirstValue(ApiKeyClaimTypes.KeyId),
            "AddClaim" => AfterAdd(identity, () => identity.AddClaim(extra)),
            "AddClaims" => AfterAdd(identity, () => identity.AddClaims([extra])),
            "TryRemoveClaim" => identity.TryRemoveClaim(identity.FindFirst(ClaimTypes.Name)) ? identity.Claims.First().Value : null,
            "WriteTo" => RoundTrip(identity).FindFirst(ApiKeyClaimTypes.KeyId)!.Value,
            _ => throw new ArgumentOutOfRangeException(nameof(reader), reader, "unknown reader"),
        };

        seen.Should().Be(Record.Id);
        ((ApiKeyIdentity)identity).ClaimsCreated.Should().BeTrue();
    }

    [Fact]
    public void Each_principal_is_equal_only_to_itself_with_a_hash_code_stable_for_its_life()
    {
        var first = ApiKeyAuthenticationHandler.CreatePrincipal(Record, Scheme, Issuer);
        var second = ApiKeyAuthenticationHandler.CreatePrincipal(Record, Scheme, Issuer);
        var seen = new HashSet<ClaimsPrincipal> { first };

        first.Should().BeOfType<ApiKeyPrincipal>();
        first.Equals(second).Should().BeFalse();
        first.Equals(first).Should().BeTrue();
        first.GetHashCode().Should().Be(first.GetHashCode());
        seen.Contains(first).Should().BeTrue();
        seen.Contains(second).Should().BeFalse("another request's principal is another principal");
        seen.Add(second).Should().BeTrue();
        first.Clone().FindFirstValue(ApiKeyClaimTypes.KeyId).Should().Be(Record.Id);
    }

    [Fact]
    public void Copies_carry_every_claim_as_their_own()
    {
        var identity = (ClaimsIdentity)ApiKeyAuthenticationHandler.CreatePrincipal(Record, Scheme, Issuer).Identity!;

        var clone = identity.Clone();
        var copy = new ClaimsIdentity(identity);

        clone.Should().BeOfType<ClaimsIdentity>();
        foreach (var other in new[] { clone, copy })
        {
            other.Claims.Select(c => (c.Type, c.Value)).Should().Equal(identity.Claims.Select(c => (c.Type, c.Value)));
            other.Claims.Should().OnlyContain(c => ReferenceEquals(c.Subject, other));
            other.AuthenticationType.Should().Be(Scheme);
            other.Name.Should().Be(Record.Owner);
        }
    }

    [Fact]
    public void A_claim_added_before_any_read_comes_after_the_keys_own_claims()
    {
        var identity = (ClaimsIdentity)ApiKeyAuthenticationHandler.CreatePrincipal(Record, Scheme, Issuer).Identity!;

        identity.AddClaim(new Claim("extra", "1"));

        identity.Claims.Select(c => c.Type).Should().Equal(
            ApiKeyClaimTypes.KeyId, ApiKeyClaimTypes.Owner, ClaimTypes.NameIdentifier, ClaimTypes.Name, ApiKeyClaimTypes.Scope, ApiKeyClaimTypes.Scope, "extra");
    }

    [Fact]
    public async Task Two_threads_reading_a_new_identity_at_once_create_its_claims_once()
    {
        for (var i = 0; i < 200; i++)
        {
            var identity = (ClaimsIdentity)ApiKeyAuthenticationHandler.CreatePrincipal(Record, Scheme, Issuer).Identity!;
            using var start = new Barrier(2);
            var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
            {
                start.SignalAndWait();
                return identity.FindAll(ApiKeyClaimTypes.Scope).Count();
            })).ToArray();

            (await Task.WhenAll(readers)).Should().Equal(2, 2);
            identity.Claims.Should().HaveCount(6);
        }
    }

    [Fact]
    public async Task Each_request_gets_its_own_principal_so_claims_one_request_adds_never_reach_the_next()
    {
        await using var app = await TestApp.StartAsync(
            services: b => b.Services.AddTransient<IClaimsTransformation, AddsOneClaim>(),
            endpoints: a => a.MapGet("/added", (HttpContext c) => Results.Ok(new
            {
                added = c.User.FindAll(AddsOneClaim.Type).Count(),
                id = c.User.FindFirstValue(ApiKeyClaimTypes.KeyId),
                scopes = c.User.FindAll(ApiKeyClaimTypes.Scope).Select(s => s.Value).ToArray(),
            })).RequireAuthorization());
        var created = await app.CreateKeyAsync("jobs:write");

        for (var i = 0; i < 3; i++)
        {
            var response = await app.GetAsync("/added", created.Key);
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            var body = await response.Content.ReadFromJsonAsync<JsonElement>();
            body.GetProperty("added").GetInt32().Should().Be(1, "request {0} sees only its own added claim", i);
            body.GetProperty("id").GetString().Should().Be(created.Record.Id);
            body.GetProperty("scopes").EnumerateArray().Select(s => s.GetString()).Should().Equal("jobs:write");
        }
    }

    [Fact]
    public async Task Scope_checks_read_the_lazily_created_claims()
    {
        await using var app = await TestApp.StartAsync();
        var writer = await app.CreateKeyAsync("jobs:write");
        var reader = await app.CreateKeyAsync("jobs:read");

        (await PostJobAsync(app, writer.Key)).Should().Be(HttpStatusCode.Accepted);
        (await PostJobAsync(app, reader.Key)).Should().Be(HttpStatusCode.Forbidden);
    }

    private static async Task<HttpStatusCode> PostJobAsync(TestApp app, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/jobs");
        request.Headers.TryAddWithoutValidation(ApiKeyDefaults.HeaderName, key);
        using var response = await app.Client.SendAsync(request);
        return response.StatusCode;
    }

    private static string? AfterAdd(ClaimsIdentity identity, Action add)
    {
        add();
        var types = identity.Claims.Select(c => c.Type).ToList();
        return types.Count == 7 && types[^1] == "extra" ? identity.Claims.First().Value : null;
    }

    private static ClaimsIdentity RoundTrip(ClaimsIdentity identity)
    {
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            identity.WriteTo(writer);
        }

        stream.Position = 0;
        using var reader = new BinaryReader(stream);
        return new ClaimsIdentity(reader);
    }

    /// <summary>A claims transformation that adds one claim to the identity it is given, as transformations commonly do.</summary>
    private sealed class AddsOneClaim : IClaimsTransformation
    {
        public const string Type = "added-by-transformation";

        public Task<ClaimsPrincipal> TransformAsync(ClaimsPrincipal principal)
        {
            ((ClaimsIdentity)principal.Identity!).AddClaim(new Claim(Type, "1"));
            return Task.FromResult(principal);
        }
    }
}
