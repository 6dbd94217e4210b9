using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Strata.ApiKeys;
using Strata.ApiKeys.Internal;

namespace Strata.Benchmarks.ApiKeys;

/// <summary>
/// A scheme that does no work but build, per request, the principal the API-key scheme builds (same claims, same
/// code): the framework's floor plus the principal any real scheme creates. The difference from
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
            ApiKeyAuthenticationHandler.CreatePrincipal(Record, Scheme.Name, ClaimsIssuer), Scheme.Name)));
}
