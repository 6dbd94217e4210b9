namespace Strata.Sample.Api.Hosting;

/// <summary>How the sample's middlewares answer a request they refuse before any endpoint runs.</summary>
internal static class ProblemResponses
{
    /// <summary>Sets the status code and writes a ProblemDetails body through the host's <see cref="IProblemDetailsService"/>.</summary>
    public static ValueTask WriteProblemAsync(this IProblemDetailsService problems, HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        return problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }
}
