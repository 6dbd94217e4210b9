using System.Security.Claims;
using Strata.ApiKeys;

namespace Strata.Benchmarks.ApiKeys;

/// <summary>
/// The API-key scheme's principal built eagerly, as the scheme built it before issue 23 (every claim created with the
/// identity as its subject, when the request is authenticated): the principal a typical scheme builds, and the
/// baseline of the lazily built one.
/// </summary>
internal static class EagerPrincipal
{
    public static ClaimsPrincipal Create(ApiKeyRecord record, string scheme, string issuer)
    {
        var identity = new ClaimsIdentity(scheme, ClaimTypes.Name, ClaimTypes.Role);
        identity.AddClaim(new Claim(ApiKeyClaimTypes.KeyId, record.Id, ClaimValueTypes.String, issuer, issuer, identity));
        identity.AddClaim(new Claim(ApiKeyClaimTypes.Owner, record.Owner, ClaimValueTypes.String, issuer, issuer, identity));
        identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, record.Id, ClaimValueTypes.String, issuer, issuer, identity));
        identity.AddClaim(new Claim(ClaimTypes.Name, record.Owner, ClaimValueTypes.String, issuer, issuer, identity));
        foreach (var scope in record.Scopes)
        {
            identity.AddClaim(new Claim(ApiKeyClaimTypes.Scope, scope, ClaimValueTypes.String, issuer, issuer, identity));
        }

        return new ClaimsPrincipal(identity);
    }
}
