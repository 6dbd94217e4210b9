using System.Text.Json;
using System.Text.Json.Serialization;

namespace Strata.Jobs;

/// <summary>
/// A job as the admin endpoints show it: everything <see cref="JobInfo"/> writes, and the owner tag, which the
/// caller-facing job endpoints never write.
/// </summary>
/// <remarks>Numbers are written and described as numbers only (<see cref="JsonNumberHandling.Strict"/>), whatever the app's JSON options.</remarks>
[JsonNumberHandling(JsonNumberHandling.Strict)]
internal sealed class AdminJobView
{
    /// <summary>The job id.</summary>
    public required string Id { get; init; }

    /// <summary>The job type's registered name.</summary>
    public required string JobType { get; init; }

    /// <summary>The queue the job runs on.</summary>
    public required string Queue { get; init; }

    /// <summary>Where the job is in its life.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<JobState>))]
    public required JobState State { get; init; }

    /// <summary>The owner tag given at enqueue; absent when the job has none.</summary>
    public string? Owner { get; init; }

    /// <summary>The current or last attempt, starting at 1; 0 before the first attempt starts.</summary>
    public int Attempt { get; init; }

    /// <summary>The most attempts the job gets.</summary>
    public int MaxAttempts { get; init; }

    /// <summary>How many times the job was started again after its worker stopped without a result.</summary>
    public int Redeliveries { get; init; }

    /// <summary>When the job was enqueued.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When a scheduled or failed job runs next.</summary>
    public DateTimeOffset? ScheduledFor { get; init; }

    /// <summary>When the current or last attempt started.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When the job reached a final state.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>The last progress the handler reported, 0 to 100.</summary>
    public int? Progress { get; init; }

    /// <summary>The message that came with the last progress report.</summary>
    public string? ProgressMessage { get; init; }

    /// <summary>The result the handler set, as JSON.</summary>
    public JsonElement? Result { get; init; }

    /// <summary>A short summary of the last failure (for a dead job, the error that killed it).</summary>
    public string? Error { get; init; }

    public static AdminJobView From(JobInfo job) => new()
    {
        Id = job.Id,
        JobType = job.JobType,
        Queue = job.Queue,
        State = job.State,
        Owner = job.Owner,
        Attempt = job.Attempt,
        MaxAttempts = job.MaxAttempts,
        Redeliveries = job.Redeliveries,
        CreatedAt = job.CreatedAt,
        ScheduledFor = job.ScheduledFor,
        StartedAt = job.StartedAt,
        CompletedAt = job.CompletedAt,
        Progress = job.Progress,
        ProgressMessage = job.ProgressMessage,
        Result = job.Result,
        Error = job.Error,
    };
}
