using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Strata.Sample.Api.Hosting;

/// <summary>
/// Enforces <see cref="SampleApiOptions.MaxRequestBodyBytes"/>: a declared <c>Content-Length</c> over the limit gets
/// 413 ProblemDetails before anything reads the body; a chunked body is cut off by the server's own limit
/// (Kestrel answers 413 when reading passes it), which this sets per request where the server allows.
/// </summary>
internal sealed class RequestBodyLimitMiddleware(RequestDelegate next, IOptions<SampleApiOptions> options)
{
    private readonly long _limit = options.Value.MaxRequestBodyBytes;

    public async Task InvokeAsync(HttpContext context, IProblemDetailsService problems)
    {
        var feature = context.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (feature is { IsReadOnly: false })
        {
            feature.MaxRequestBodySize = _limit;
        }

        if (context.Request.ContentLength > _limit)
        {
            await problems.WriteProblemAsync(
                context,
                StatusCodes.Status413PayloadTooLarge,
                "Request body too large",
                $"The request body is {context.Request.ContentLength} bytes; the limit is {_limit} bytes.");
            return;
        }

        await next(context);
    }
}
