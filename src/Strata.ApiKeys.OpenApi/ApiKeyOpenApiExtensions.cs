using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Strata.ApiKeys;
using Strata.ApiKeys.OpenApi;
using Strata.Shared.OpenApi;

// In the namespace of AddOpenApi, so the call inside AddOpenApi(options => ...) needs no extra using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Describes Strata.ApiKeys in documents produced by Microsoft.AspNetCore.OpenApi (.NET 10).</summary>
public static class ApiKeyOpenApiExtensions
{
    /// <summary>
    /// Adds an <c>apiKey</c> security scheme (a header) to the document's components, and to every operation whose
    /// endpoint requires authorization (and does not allow anonymous callers): a requirement of the scheme listing the
    /// scopes the endpoint requires (<c>RequireScope</c>; in an OpenAPI 3.0 document, which allows scopes on OAuth2 and
    /// OpenID Connect requirements only, the list stays empty and the 403 names them), the <c>401</c> answer with its <c>WWW-Authenticate</c> header,
    /// and, where scopes are required, the <c>403</c> answer naming the missing ones (<c>missingScopes</c>). An endpoint
    /// marked with <c>ExcludeFromApiKeyDescription()</c> gets none of it.
    /// </summary>
    /// <param name="options">The OpenAPI options.</param>
    /// <param name="headerName">The header the key is sent in. <value>Default <c>"X-Api-Key"</c>.</value></param>
    /// <param name="schemeName">
    /// The security scheme's name in the document, and the authentication scheme whose <c>Realm</c> the
    /// <c>WWW-Authenticate</c> header shows. <value>Default <c>"ApiKey"</c>.</value>
    /// </param>
    /// <returns>The options.</returns>
    public static OpenApiOptions AddApiKeySecurityScheme(this OpenApiOptions options, string headerName = ApiKeyDefaults.HeaderName, string schemeName = ApiKeyDefaults.AuthenticationScheme)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(headerName);
        ArgumentException.ThrowIfNullOrWhiteSpace(schemeName);

        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>(StringComparer.Ordinal);
            document.Components.SecuritySchemes[schemeName] = ApiKeyOperationDescriber.Scheme(headerName);
            return Task.CompletedTask;
        });

        options.AddOperationTransformer(new ApiKeyOperationTransformer(options, schemeName));
        return options;
    }
}
