using System.Text;
using Microsoft.Net.Http.Headers;

namespace Strata.Sample.Api.Hosting;

/// <summary>
/// Refuses a request whose <c>Content-Type</c> names a charset this process cannot decode (<c>charset=bogus</c>,
/// <c>charset=utf-7</c>, an empty charset) with 415 ProblemDetails. Without it, ASP.NET Core's JSON body binding throws
/// an <see cref="InvalidOperationException"/> for such a charset, which would be a 500. A quoted charset
/// (<c>charset="utf-8"</c>, valid HTTP) is unquoted first, since the binding does not unquote it either.
/// </summary>
internal sealed class RequestCharsetMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, IProblemDetailsService problems)
    {
        var contentType = context.Request.ContentType;
        if (contentType is null || !MediaTypeHeaderValue.TryParse(contentType, out var mediaType) || !mediaType.Charset.HasValue)
        {
            await next(context);
            return;
        }

        var charset = HeaderUtilities.RemoveQuotes(mediaType.Charset);
        if (IsKnown(charset.Value ?? string.Empty))
        {
            if (charset.Length != mediaType.Charset.Length)
            {
                mediaType.Charset = charset;
                context.Request.ContentType = mediaType.ToString();
            }
        }
        else
        {
            await problems.WriteProblemAsync(
                context,
                StatusCodes.Status415UnsupportedMediaType,
                "Unsupported charset",
                "The Content-Type names a charset this server cannot decode. Send the body as UTF-8 JSON (Content-Type: application/json).");
            return;
        }

        await next(context);
    }

    private static bool IsKnown(string charset)
    {
        if (charset.Length == 0)
        {
            return false;
        }

        try
        {
            _ = Encoding.GetEncoding(charset);
            return true;
        }
        catch (Exception exception) when (exception is ArgumentException or NotSupportedException)
        {
            // Unknown name, or an encoding .NET refuses (UTF-7 is disabled).
            return false;
        }
    }
}
