using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Strata.ApiKeys;

namespace Strata.Shared.OpenApi;

/// <summary>
/// What Strata.ApiKeys adds to a document, whichever generator makes it (Microsoft.AspNetCore.OpenApi's transformers,
/// Swashbuckle's filters): the <c>apiKey</c> scheme and, on each operation whose endpoint requires authorization, the
/// security requirement with the endpoint's scopes, the 401 answer with <c>WWW-Authenticate</c>, and the 403 answer when
/// scopes are required, as the scheme's handler writes them.
/// </summary>
internal static class ApiKeyOperationDescriber
{
    public const string ScopeProblem = "ApiKeyScopeProblemDetails";

    /// <summary>The security scheme: a key in the header <paramref name="headerName"/>.</summary>
    public static OpenApiSecurityScheme Scheme(string headerName) => new()
    {
        Type = SecuritySchemeType.ApiKey,
        In = ParameterLocation.Header,
        Name = headerName,
        Description = "API key in the form {prefix}_{secret}{checksum}.",
    };

    /// <summary>Whether the endpoint gets a description: it requires authorization, allows no anonymous callers, and is not excluded.</summary>
    public static bool Applies(IList<object> metadata) =>
        metadata.OfType<IAuthorizeData>().Any()
        && !metadata.OfType<IAllowAnonymous>().Any()
        && metadata.OfType<IExcludeFromApiKeyDescriptionMetadata>().LastOrDefault()?.ExcludeFromApiKeyDescription != true;

    /// <summary>Describes <paramref name="operation"/>, whose endpoint <see cref="Applies"/>, requiring <paramref name="scopes"/>.</summary>
    /// <param name="operation">The operation.</param>
    /// <param name="document">The document the operation belongs to (for references and components).</param>
    /// <param name="scopes">The endpoint's scopes (<see cref="ScopesAsync"/>).</param>
    /// <param name="services">The app's services.</param>
    /// <param name="schemeName">The security and authentication scheme's name.</param>
    /// <param name="scopesOnRequirement">
    /// Whether the requirement lists the scopes: OpenAPI 3.1 allows scopes on any requirement; 2.0 and 3.0 only on OAuth2
    /// and OpenID Connect ones, so there the list stays empty and the 403 names them.
    /// </param>
    public static void Describe(OpenApiOperation operation, OpenApiDocument document, IReadOnlyList<string> scopes, IServiceProvider services, string schemeName, bool scopesOnRequirement)
    {
        operation.Security ??= [];

        // Registering twice (or for two schemes) must not list one scheme twice.
        foreach (var duplicate in operation.Security.Where(r => r.Keys.Any(scheme => scheme.Reference.Id == schemeName)).ToArray())
        {
            operation.Security.Remove(duplicate);
        }

        operation.Security.Add(new OpenApiSecurityRequirement
        {
            [new OpenApiSecuritySchemeReference(schemeName, document)] = scopesOnRequirement ? [.. scopes] : [],
        });

        var realm = services.GetService<IOptionsMonitor<ApiKeyAuthenticationOptions>>()?.Get(schemeName).Realm ?? "api";
        var unauthorized = OperationResponses.Problem(
            operation,
            StatusCodes.Status401Unauthorized,
            "No API key, or one that is malformed, unknown, revoked or expired.",
            ProblemSchemas.Reference(document));
        OperationResponses.Header(
            unauthorized,
            "WWW-Authenticate",
            $"The challenge: {ApiKeyDefaults.AuthorizationScheme} realm=\"{realm}\".",
            ProblemSchemas.Text($"Always {ApiKeyDefaults.AuthorizationScheme} realm=\"{realm}\"."),
            required: true);

        if (scopes.Count > 0)
        {
            OperationResponses.Problem(
                operation,
                StatusCodes.Status403Forbidden,
                $"The API key lacks a scope this operation requires ({string.Join(", ", scopes)}); missingScopes names them.",
                ProblemSchemas.Reference(
                    document,
                    ScopeProblem,
                    "A problem naming the scopes the API key lacks.",
                    ("missingScopes", ProblemSchemas.Texts("The required scopes the API key does not grant.")),
                    ("requiredScopes", ProblemSchemas.Texts("Every scope the operation requires."))));
        }
    }

    /// <summary>
    /// The scopes of the endpoint's authorization: of the policies on it (<c>RequireScope</c>), and of the named policies
    /// and default policy its <see cref="IAuthorizeData"/> asks for, combined as the authorization middleware combines them.
    /// </summary>
    public static async Task<IReadOnlyList<string>> ScopesAsync(IList<object> metadata, IServiceProvider services)
    {
        var authorizeData = metadata.OfType<IAuthorizeData>();
        var policies = metadata.OfType<AuthorizationPolicy>().ToList();
        var provider = services.GetService<IAuthorizationPolicyProvider>();
        AuthorizationPolicy? combined = null;
        if (provider is not null)
        {
            try
            {
                combined = await AuthorizationPolicy.CombineAsync(provider, authorizeData, policies).ConfigureAwait(false);
            }
            catch (InvalidOperationException)
            {
                // A policy name that is not registered: the request fails the same way; the document lists what it can.
            }
        }

        return Distinct(metadata, combined?.Requirements ?? [.. policies.SelectMany(p => p.Requirements)]);
    }

    /// <summary>The scopes of the policies on the endpoint itself (<c>RequireScope</c>, inline policies), without named ones.</summary>
    public static IReadOnlyList<string> EndpointScopes(IList<object> metadata) =>
        Distinct(metadata, metadata.OfType<AuthorizationPolicy>().SelectMany(p => p.Requirements));

    private static IReadOnlyList<string> Distinct(IList<object> metadata, IEnumerable<IAuthorizationRequirement> requirements) =>
        [.. requirements.OfType<IApiKeyScopeMetadata>().Concat(metadata.OfType<IApiKeyScopeMetadata>())
            .SelectMany(m => m.Scopes)
            .Distinct(StringComparer.Ordinal)];
}
