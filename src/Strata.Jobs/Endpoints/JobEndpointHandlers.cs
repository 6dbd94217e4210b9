using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Strata.Jobs.Internal;

namespace Strata.Jobs;

internal sealed partial class JobEndpointHandlers<TJob>(JobEndpointOptions options, JobBodyReader<TJob> reader)
{
    public Task<IResult> Post(HttpContext context) => GuardAsync(context, PostAsync(context));

    public Task<IResult> Get(HttpContext context, string id) => GuardAsync(context, GetAsync(context, id));

    public Task<IResult> Delete(HttpContext context, string id) => GuardAsync(context, DeleteAsync(context, id));

    /// <summary>Turns a failure of the backend (for example Redis unreachable) into 503 with Retry-After instead of a 500.</summary>
    private async Task<IResult> GuardAsync(HttpContext context, Task<IResult> handling)
    {
        try
        {
            return await handling.ConfigureAwait(false);
        }
        catch (BadHttpRequestException ex)
        {
            // The server refused the body while it was read (larger than its limit: 413; a broken chunked body: 400),
            // which is the caller's doing, not an outage of the store.
            return ex.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? Problem(StatusCodes.Status413PayloadTooLarge, "Request body too large", "The request body is larger than the server accepts.")
                : Problem(StatusCodes.Status400BadRequest, "Bad request", "The request body could not be read.");
        }
        catch (Exception ex) when (ex is not (OperationCanceledException or ArgumentException or InvalidOperationException or NotSupportedException))
        {
            StoreFailureLog.Write(context, ex);

            SetRetryAfter(context);
            return Problem(StatusCodes.Status503ServiceUnavailable, StoreFailureLog.UnavailableTitle, StoreFailureLog.UnavailableDetail);
        }
    }

    private async Task<IResult> PostAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var queue = services.GetRequiredService<IJobQueue>();
        var store = services.GetRequiredService<IJobStore>();

        if (!context.Request.HasJsonContentType())
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "The request body must be JSON (Content-Type: application/json).");
        }

        var (job, error) = await reader.ReadAsync(context.Request.Body, context.RequestAborted).ConfigureAwait(false);
        if (error is not null)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid job", error);
        }

        var owner = options.OwnerSelector(context);
        var jobOptions = new JobOptions { Owner = owner, Queue = options.Queue };
        if (options.IdempotencyKeyHeader is { } header && context.Request.Headers[header].ToString() is { Length: > 0 } key)
        {
            if (key.Length > JobEndpointMetadata.MaxIdempotencyKeyLength)
            {
                return Problem(StatusCodes.Status400BadRequest, "Invalid idempotency key", $"The {header} header must be at most {JobEndpointMetadata.MaxIdempotencyKeyLength} characters.");
            }

            jobOptions.IdempotencyKey = owner is null ? "anonymous:" + key : "owner:" + owner + ":" + key;
        }

        options.ConfigureJob?.Invoke(context, jobOptions);
        var jobId = await queue.TryEnqueueAsync(job!, jobOptions, context.RequestAborted).ConfigureAwait(false);
        if (jobId is null)
        {
            SetRetryAfter(context);
            return Problem(StatusCodes.Status503ServiceUnavailable, "Queue full", "The job queue is full; try again later.");
        }

        var info = await store.GetForOwnerAsync(jobId, owner, context.RequestAborted).ConfigureAwait(false);
        SetRetryAfter(context);
        var location = $"{context.Request.PathBase}{context.Request.Path.Value?.TrimEnd('/')}/{Uri.EscapeDataString(jobId)}";
        return info is null
            ? Results.Accepted(location)
            : new AcceptedWithLocation(location, Results.Json(info, JobsJsonContext.Default.JobInfo, statusCode: StatusCodes.Status202Accepted));
    }

    private async Task<IResult> GetAsync(HttpContext context, string id)
    {
        var store = context.RequestServices.GetRequiredService<IJobStore>();
        var info = await store.GetForOwnerAsync(id, options.OwnerSelector(context), context.RequestAborted).ConfigureAwait(false);
        if (info is null)
        {
            return NotFound(id);
        }

        if (!info.IsFinished)
        {
            SetRetryAfter(context);
        }

        return Results.Json(info, JobsJsonContext.Default.JobInfo);
    }

    private async Task<IResult> DeleteAsync(HttpContext context, string id)
    {
        var services = context.RequestServices;
        var store = services.GetRequiredService<IJobStore>();
        var owner = options.OwnerSelector(context);
        var info = await store.GetForOwnerAsync(id, owner, context.RequestAborted).ConfigureAwait(false);
        if (info is null)
        {
            return NotFound(id);
        }

        if (!await services.GetRequiredService<IJobQueue>().CancelAsync(id, context.RequestAborted).ConfigureAwait(false))
        {
            return Problem(StatusCodes.Status409Conflict, "Job finished", $"The job has already finished ({info.State}).");
        }

        info = await store.GetForOwnerAsync(id, owner, context.RequestAborted).ConfigureAwait(false) ?? info;
        return Results.Json(info, JobsJsonContext.Default.JobInfo);
    }

    private void SetRetryAfter(HttpContext context) =>
        context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(options.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    private static IResult NotFound(string id) =>
        Problem(StatusCodes.Status404NotFound, "Job not found", $"No job '{id}' is visible to the caller.");

    private static IResult Problem(int status, string title, string detail) =>
        Results.Problem(statusCode: status, title: title, detail: detail);

    /// <summary>202 with a Location header and the job's status as the body.</summary>
    private sealed class AcceptedWithLocation(string location, IResult body) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.Location = location;
            return body.ExecuteAsync(httpContext);
        }
    }
}
