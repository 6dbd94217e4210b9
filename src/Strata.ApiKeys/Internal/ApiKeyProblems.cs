using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;

namespace Strata.ApiKeys.Internal;

/// <summary>The RFC 9457 ProblemDetails bodies of the scheme's 401, 403, 429 and 503 answers.</summary>
internal static class ApiKeyProblems
{
    private const string ContentType = "application/problem+json";

    /// <summary>
    /// The 403 body. When <see cref="ScopeRequirement"/>s found scopes missing, it names them (the endpoint's
    /// requirements, never anything about the key): <c>missingScopes</c>, <c>requiredScopes</c> and the detail.
    /// </summary>
    public static Task WriteForbiddenAsync(HttpContext context, MissingScopes? scopes)
    {
        if (scopes is not { Missing.Count: > 0 })
        {
            return WriteAsync(context, StatusCodes.Status403Forbidden, "Forbidden", "The API key does not grant access to this resource.");
        }

        var detail = scopes.Missing.Count == 1
            ? $"The API key lacks the scope this endpoint requires: {scopes.Missing[0]}."
            : $"The API key lacks the scopes this endpoint requires: {string.Join(", ", scopes.Missing)}.";
        return WriteAsync(context, StatusCodes.Status403Forbidden, "Forbidden", detail, new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["missingScopes"] = scopes.Missing.ToArray(),
            ["requiredScopes"] = scopes.Required.ToArray(),
        });
    }

    public static async Task WriteAsync(HttpContext context, int status, string title, string detail, IDictionary<string, object?>? extensions = null)
    {
        context.Response.StatusCode = status;
        var problem = new ProblemDetails
        {
            Status = status,
            Title = title,
            Detail = detail,
            Type = status switch
            {
                StatusCodes.Status401Unauthorized => "https://tools.ietf.org/html/rfc9110#section-15.5.2",
                StatusCodes.Status403Forbidden => "https://tools.ietf.org/html/rfc9110#section-15.5.4",
                StatusCodes.Status429TooManyRequests => "https://tools.ietf.org/html/rfc6585#section-4",
                _ => "https://tools.ietf.org/html/rfc9110#section-15.6.4",
            },
        };
        if (extensions is not null)
        {
            foreach (var (name, value) in extensions)
            {
                problem.Extensions[name] = value;
            }
        }

        var service = context.RequestServices.GetService<IProblemDetailsService>();
        if (service is not null && await service.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem }).ConfigureAwait(false))
        {
            return;
        }

        await context.Response.WriteAsJsonAsync(problem, options: null, contentType: ContentType, context.RequestAborted).ConfigureAwait(false);
    }
}
