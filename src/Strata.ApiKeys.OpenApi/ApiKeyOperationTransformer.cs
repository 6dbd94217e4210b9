using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;
using Strata.Shared.OpenApi;

namespace Strata.ApiKeys.OpenApi;

/// <summary>
/// On each operation whose endpoint requires authorization: the security requirement with the endpoint's scopes, the
/// 401 answer with <c>WWW-Authenticate</c>, and the 403 answer when scopes are required, as the scheme's handler writes them.
/// </summary>
internal sealed class ApiKeyOperationTransformer(OpenApiOptions options, string schemeName) : IOpenApiOperationTransformer
{
    internal const string ScopeProblem = "ApiKeyScopeProblemDetails";

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var authorizeData = metadata.OfType<IAuthorizeData>().ToArray();
        if (authorizeData.Length == 0 || metadata.OfType<IAllowAnonymous>().Any() || metadata.OfType<ExcludedFromApiKeyDescription>().Any())
        {
            return;
        }

        var scopes = await ScopesAsync(metadata, authorizeData, context.ApplicationServices).ConfigureAwait(false);
        operation.Security ??= [];

        // Calling AddApiKeySecurityScheme twice (or for two schemes) must not list one scheme twice.
        foreach (var duplicate in operation.Security.Where(r => r.Keys.Any(scheme => scheme.Reference.Id == schemeName)).ToArray())
        {
            operation.Security.Remove(duplicate);
        }

        operation.Security.Add(new OpenApiSecurityRequirement
        {
            // OpenAPI 3.1 allows scopes on any requirement; 3.0 only on OAuth2 and OpenID Connect ones. Read when the
            // document is made, so a version set after AddApiKeySecurityScheme counts.
            [new OpenApiSecuritySchemeReference(schemeName, context.Document)] = options.OpenApiVersion == OpenApiSpecVersion.OpenApi3_0 ? [] : [.. scopes],
        });

        var document = context.Document!;
        var realm = context.ApplicationServices.GetService<IOptionsMonitor<ApiKeyAuthenticationOptions>>()?.Get(schemeName).Realm ?? "api";
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
    private static async Task<IReadOnlyList<string>> ScopesAsync(IList<object> metadata, IAuthorizeData[] authorizeData, IServiceProvider services)
    {
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

        var requirements = combined?.Requirements ?? [.. policies.SelectMany(p => p.Requirements)];
        return [.. requirements.OfType<IApiKeyScopeMetadata>().Concat(metadata.OfType<IApiKeyScopeMetadata>())
            .SelectMany(m => m.Scopes)
            .Distinct(StringComparer.Ordinal)];
    }
}
