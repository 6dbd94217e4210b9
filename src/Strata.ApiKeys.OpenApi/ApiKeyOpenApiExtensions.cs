using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Strata.ApiKeys;

// In the namespace of AddOpenApi, so the call inside AddOpenApi(options => ...) needs no extra using.
namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Declares the API-key security scheme in documents produced by Microsoft.AspNetCore.OpenApi (.NET 10).</summary>
public static class ApiKeyOpenApiExtensions
{
    /// <summary>
    /// Adds an <c>apiKey</c> security scheme (a header) to the document's components, and a requirement of it to
    /// every operation whose endpoint requires authorization (and does not allow anonymous callers).
    /// </summary>
    /// <param name="options">The OpenAPI options.</param>
    /// <param name="headerName">The header the key is sent in. <value>Default <c>"X-Api-Key"</c>.</value></param>
    /// <param name="schemeName">The security scheme's name in the document. <value>Default <c>"ApiKey"</c>.</value></param>
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
            document.Components.SecuritySchemes[schemeName] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = headerName,
                Description = "API key in the form {prefix}_{secret}{checksum}.",
            };
            return Task.CompletedTask;
        });

        options.AddOperationTransformer((operation, context, _) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            if (metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any())
            {
                operation.Security ??= [];
                operation.Security.Add(new OpenApiSecurityRequirement
                {
                    [new OpenApiSecuritySchemeReference(schemeName, context.Document)] = [],
                });
            }

            return Task.CompletedTask;
        });

        return options;
    }
}
