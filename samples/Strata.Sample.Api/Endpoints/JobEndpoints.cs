using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Strata.Jobs;
using Strata.Sample.Api.Hosting;
using Strata.Sample.Api.Security;
using Strata.Sample.Processing;

namespace Strata.Sample.Api.Endpoints;

/// <summary>
/// The async path (asynchronous request-reply): <c>POST /v1/jobs</c> enqueues an <see cref="AnalyzeDocument"/> job
/// owned by the calling key and answers 202 with its status URL; <c>GET</c> polls it, <c>DELETE</c> cancels it.
/// Another key's job and an unknown id are both 404, so a caller cannot probe for ids.
/// </summary>
internal static partial class JobEndpoints
{
    private const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>
    /// The longest Idempotency-Key accepted. Strata.Jobs takes keys of up to 256 characters, and the host prefixes the
    /// caller's key id (<c>key_</c> and 16 characters) and a colon.
    /// </summary>
    internal const int MaxIdempotencyKeyLength = JobEndpointMetadata.MaxIdempotencyKeyLength;

    public static RouteGroupBuilder MapJobEndpoints(this RouteGroupBuilder v1)
    {
        // 401, 403 and 429 are declared by Strata.ApiKeys.OpenApi and Strata.RateLimiting.OpenApi (Program.cs); the
        // JobEndpointMetadata lets Strata.Jobs.OpenApi add the Location, Retry-After and Idempotency-Key headers.
        var jobs = v1.MapGroup("/jobs")
            .WithTags("Jobs");

        jobs.MapPost("/", SubmitAsync)
            .WithName("SubmitJob")
            .WithSummary("Analyze a document in the background")
            .WithDescription("202 Accepted with Location: /v1/jobs/{id}. An Idempotency-Key header makes a retried POST return the same job.")
            .Accepts<DocumentRequest>("application/json")
            .Produces<JobStatus>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithMetadata(new JobEndpointMetadata(JobEndpointKind.Submit, IdempotencyKeyHeader));

        jobs.MapGet("/{id}", GetAsync)
            .WithName("GetJob")
            .WithSummary("A job's state, progress and, once succeeded, its result")
            .WithDescription("Poll until the state is succeeded, dead or cancelled; Retry-After says when while it runs. Another key's job is 404.")
            .Produces<JobStatus>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithMetadata(new JobEndpointMetadata(JobEndpointKind.Status));

        jobs.MapDelete("/{id}", CancelAsync)
            .WithName("CancelJob")
            .WithSummary("Cancel a job that has not finished")
            .WithDescription("A queued job never runs; a running one is asked to stop. 409 when the job has already finished.")
            .Produces<JobStatus>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithMetadata(new JobEndpointMetadata(JobEndpointKind.Cancel));

        return jobs;
    }

    private static async Task<IResult> SubmitAsync(
        DocumentRequest request,
        HttpContext context,
        DocumentRequestValidator validator,
        IJobQueue queue,
        IJobStore store,
        ILoggerFactory loggers,
        CancellationToken cancellationToken)
    {
        if (validator.Validate(request) is { } invalid)
        {
            return invalid;
        }

        var owner = context.GetApiKeyId();
        var idempotencyKey = context.Request.Headers[IdempotencyKeyHeader].ToString();
        if (idempotencyKey.Length > MaxIdempotencyKeyLength)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { [IdempotencyKeyHeader] = [$"The Idempotency-Key header is {idempotencyKey.Length} characters long; at most {MaxIdempotencyKeyLength} are accepted."] },
                title: "Invalid Idempotency-Key");
        }

        string id;
        try
        {
            id = await queue.EnqueueAsync(
                new AnalyzeDocument(request.Text!),
                new JobOptions
                {
                    Owner = owner,
                    // Idempotency keys are per owner: another key's identical header never returns this key's job.
                    IdempotencyKey = idempotencyKey.Length == 0 ? null : $"{owner}:{idempotencyKey}",
                },
                cancellationToken);
        }
        catch (Exception exception) when (RedisOutage.Is(exception))
        {
            Log.EnqueueFailed(loggers.CreateLogger(typeof(JobEndpoints)), exception.GetType().Name, exception);
            return Unavailable(context);
        }

        // The job is in the queue from here on: a failure to read its status back must not turn the answer into a
        // 503 (the client would submit it again), so the answer is 202 with the status of a just-queued job.
        JobInfo? info;
        try
        {
            info = await store.GetForOwnerAsync(id, owner, cancellationToken);
        }
        catch (Exception exception) when (RedisOutage.Is(exception))
        {
            Log.StatusAfterEnqueueFailed(loggers.CreateLogger(typeof(JobEndpoints)), id, exception.GetType().Name, exception);
            info = null;
        }

        context.Response.Headers.RetryAfter = "1";
        return TypedResults.Accepted($"/v1/jobs/{Uri.EscapeDataString(id)}", info is null ? JobStatus.Queued(id) : JobStatus.From(info));
    }

    private static async Task<IResult> GetAsync(string id, HttpContext context, IJobStore store, CancellationToken cancellationToken)
    {
        JobInfo? info;
        try
        {
            info = await store.GetForOwnerAsync(id, context.GetApiKeyId(), cancellationToken);
        }
        catch (Exception exception) when (RedisOutage.Is(exception))
        {
            // Redis out of reach (a restart, a blip): the same clear 503 with Retry-After as a refused submission.
            return Unavailable(context);
        }

        if (info is null)
        {
            return NotFound(id);
        }

        if (!info.IsFinished)
        {
            context.Response.Headers.RetryAfter = "1";
        }

        return TypedResults.Ok(JobStatus.From(info));
    }

    private static async Task<IResult> CancelAsync(string id, HttpContext context, IJobQueue queue, IJobStore store, CancellationToken cancellationToken)
    {
        var owner = context.GetApiKeyId();
        JobInfo? info;
        try
        {
            info = await store.GetForOwnerAsync(id, owner, cancellationToken);
            if (info is null)
            {
                return NotFound(id);
            }

            if (info.IsFinished)
            {
                return TypedResults.Problem(
                    statusCode: StatusCodes.Status409Conflict,
                    title: "Job already finished",
                    detail: $"Job '{id}' is {JobStatus.StateName(info.State)} and cannot be cancelled.");
            }

            await queue.CancelAsync(id, cancellationToken);
            info = await store.GetForOwnerAsync(id, owner, cancellationToken) ?? info;
        }
        catch (Exception exception) when (RedisOutage.Is(exception))
        {
            // The same 503 with Retry-After as a poll; the cancel may be retried (cancelling twice is harmless).
            return Unavailable(context);
        }

        return TypedResults.Ok(JobStatus.From(info));
    }

    private static IResult NotFound(string id) => TypedResults.Problem(
        statusCode: StatusCodes.Status404NotFound,
        title: "Job not found",
        detail: $"There is no job '{id}' for this API key.");

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Enqueueing a job failed ({ErrorType}): answered 503 with Retry-After")]
        public static partial void EnqueueFailed(ILogger logger, string errorType, Exception exception);

        [LoggerMessage(2, LogLevel.Warning, "Job {JobId} is queued but reading its status back failed ({ErrorType}): answered 202 with the queued status")]
        public static partial void StatusAfterEnqueueFailed(ILogger logger, string jobId, string errorType, Exception exception);
    }

    private static IResult Unavailable(HttpContext context)
    {
        context.Response.Headers.RetryAfter = "5";
        return TypedResults.Problem(
            statusCode: StatusCodes.Status503ServiceUnavailable,
            title: "Job queue unavailable",
            detail: "The job store is unavailable: it cannot be reached now. Retry after Retry-After.");
    }
}

/// <summary>A job as callers see it.</summary>
/// <param name="Id">The job id.</param>
/// <param name="State">queued, scheduled, running, succeeded, failed (between attempts), dead or cancelled.</param>
/// <param name="Progress">Percent done, when the handler reported it.</param>
/// <param name="ProgressMessage">What the handler is doing.</param>
/// <param name="Attempt">The attempt running or last run (1-based; 0 before the first).</param>
/// <param name="MaxAttempts">Attempts allowed.</param>
/// <param name="Redeliveries">Times the job was taken over from a worker that vanished without finishing it (a crash,
/// SIGKILL): it runs again in the same attempt, so the handler must be idempotent (this one is, by job id).</param>
/// <param name="CreatedAt">When the job was enqueued.</param>
/// <param name="StartedAt">When the last attempt started.</param>
/// <param name="CompletedAt">When the job finished.</param>
/// <param name="Error">Why the last attempt failed (a summary, never a stack trace).</param>
/// <param name="Result">The analysis, once succeeded.</param>
public sealed record JobStatus(
    string Id,
    string State,
    [property: Range(0, 100)] int? Progress,
    string? ProgressMessage,
    int Attempt,
    int MaxAttempts,
    int Redeliveries,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    string? Error,
    AnalysisResult? Result)
{
    internal static JobStatus From(JobInfo info) => new(
        info.Id,
        StateName(info.State),
        info.Progress,
        info.ProgressMessage,
        info.Attempt,
        info.MaxAttempts,
        info.Redeliveries,
        info.CreatedAt,
        info.StartedAt,
        info.CompletedAt,
        info.Error,
        info.State == JobState.Succeeded && info.Result is { } result ? result.Deserialize<AnalysisResult>(JsonSerializerOptions.Web) : null);

    internal static JobStatus Queued(string id)
        => new(id, StateName(JobState.Queued), null, null, 0, 0, 0, null, null, null, null, null);

    internal static string StateName(JobState state) => state.ToString().ToLowerInvariant();
}
