using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Strata.ApiKeys;

namespace Strata.Benchmarks.ApiKeys;

/// <summary>
/// A scheme that does no work but build, per request, the API-key scheme's principal eagerly (same claims, created
/// when the request is authenticated, as the scheme did before issue 23: <see cref="EagerPrincipal"/>): the
/// framework's floor plus the principal a typical scheme creates. The difference from
/// <see cref="Infrastructure.FixedPrincipalHandler"/> is the price of a fresh principal; the difference from the
/// API-key scheme is what Strata's own checks cost.
/// </summary>
internal sealed class FreshPrincipalHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "FreshPrincipal";

    private static readonly ApiKeyRecord Record = new() { Id = "key_benchmarks01", Owner = "benchmarks", Scopes = ["ping"] };

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
        => Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(
            EagerPrincipal.Create(Record, Scheme.Name, ClaimsIssuer), Scheme.Name)));
}
