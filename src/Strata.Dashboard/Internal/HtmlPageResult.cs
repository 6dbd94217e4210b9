using System.Text;
using Microsoft.AspNetCore.Http;

namespace Strata.Dashboard.Internal;

/// <summary>A rendered page with its status code.</summary>
internal sealed class HtmlPageResult(int statusCode, string html) : IResult
{
    public int StatusCode { get; } = statusCode;

    public string Html { get; } = html;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = StatusCode;
        httpContext.Response.ContentType = "text/html; charset=utf-8";
        var bytes = Encoding.UTF8.GetBytes(Html);
        httpContext.Response.ContentLength = bytes.Length;
        return httpContext.Response.Body.WriteAsync(bytes, httpContext.RequestAborted).AsTask();
    }
}
