using Strata.ApiKeys;
using Strata.ApiKeys.Swashbuckle;
using Strata.Shared.OpenApi;
using Strata.Shared.Swashbuckle;
using Swashbuckle.AspNetCore.SwaggerGen;

// In the namespace of AddSwaggerGen and Swashbuckle's own SwaggerGenOptions extensions, so no extra using is needed.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Describes Strata.ApiKeys in documents produced by Swashbuckle.AspNetCore: 10 with Strata.ApiKeys.Swashbuckle, 11 with
/// Strata.ApiKeys.Swashbuckle11 (the same calls).
/// </summary>
public static class ApiKeySwaggerGenOptionsExtensions
{
    /// <summary>
    /// Adds an <c>apiKey</c> security scheme (a header) to the document's components, and to every operation whose
    /// endpoint requires authorization (and does not allow anonymous callers): a requirement of the scheme listing the
    /// scopes the endpoint requires (<c>RequireScope</c>; only when the app's <c>SwaggerOptions.OpenApiVersion</c> is 3.1
    /// or newer, since OpenAPI 3.0 allows scopes on OAuth2 and OpenID Connect requirements only; otherwise the list stays
    /// empty and the 403 names them), the <c>401</c> answer with its <c>WWW-Authenticate</c> header, and, where scopes
    /// are required, the <c>403</c> answer naming the missing ones (<c>missingScopes</c>). An endpoint marked with
    /// <c>ExcludeFromApiKeyDescription()</c> gets none of it. Calling it twice for one scheme adds nothing more.
    /// </summary>
    /// <param name="options">The Swashbuckle generator options.</param>
    /// <param name="headerName">The header the key is sent in. <value>Default <c>"X-Api-Key"</c>.</value></param>
    /// <param name="schemeName">
    /// The security scheme's name in the document, and the authentication scheme whose <c>Realm</c> the
    /// <c>WWW-Authenticate</c> header shows. <value>Default <c>"ApiKey"</c>.</value>
    /// </param>
    /// <returns>The options.</returns>
    /// <exception cref="InvalidOperationException">The app runs another Swashbuckle major than this package is built for; the message names the package that fits.</exception>
    public static SwaggerGenOptions AddApiKeySecurityScheme(this SwaggerGenOptions options, string headerName = ApiKeyDefaults.HeaderName, string schemeName = ApiKeyDefaults.AuthenticationScheme)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(headerName);
        ArgumentException.ThrowIfNullOrWhiteSpace(schemeName);
        SwashbuckleMajor.EnsureSupported(typeof(ApiKeyOperationFilter).Assembly);

        // Set, not added (AddSecurityDefinition), so a second call replaces the scheme instead of failing the document.
        options.SwaggerGeneratorOptions.SecuritySchemes[schemeName] = ApiKeyOperationDescriber.Scheme(headerName);
        if (!options.OperationFilterDescriptors.Any(d => d.Type == typeof(ApiKeyOperationFilter) && d.Arguments is [string name] && name == schemeName))
        {
            options.OperationFilter<ApiKeyOperationFilter>(schemeName);
        }

        return options;
    }
}
