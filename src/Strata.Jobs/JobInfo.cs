using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Strata.Jobs;

/// <summary>A snapshot of a job's status, as <see cref="IJobStore"/> returns it and the job endpoints show it.</summary>
/// <remarks>
/// The error summary never holds a stack trace: it is the message of a <see cref="JobFailedException"/>
/// the handler threw, or a generic sentence naming the kind of failure (see <see cref="JobsOptions.DescribeError"/>).
/// </remarks>
public sealed class JobInfo
{
    /// <summary>The job id returned by <see cref="IJobQueue.EnqueueAsync{TJob}(TJob, JobOptions?, CancellationToken)"/>.</summary>
    public required string Id { get; init; }

    /// <summary>The job type's registered name.</summary>
    public required string JobType { get; init; }

    /// <summary>The queue the job runs on.</summary>
    public required string Queue { get; init; }

    /// <summary>Where the job is in its life.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<JobState>))]
    public required JobState State { get; init; }

    /// <summary>The current or last attempt, starting at 1; 0 before the first attempt starts.</summary>
    public int Attempt { get; init; }

    /// <summary>The most attempts the job gets.</summary>
    public int MaxAttempts { get; init; }

    /// <summary>How many times the job was started again because the worker running it stopped without a result (a crash); not counted as attempts.</summary>
    public int Redeliveries { get; init; }

    /// <summary>When the job was enqueued.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When a scheduled or failed job runs next; null when it is not waiting for a time.</summary>
    public DateTimeOffset? ScheduledFor { get; init; }

    /// <summary>When the current or last attempt started.</summary>
    public DateTimeOffset? StartedAt { get; init; }

    /// <summary>When the job reached a final state (succeeded, dead or cancelled).</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>The last progress the handler reported, 0 to 100.</summary>
    [Range(0, 100)]
    public int? Progress { get; init; }

    /// <summary>The message that came with the last progress report.</summary>
    public string? ProgressMessage { get; init; }

    /// <summary>The result the handler set, as JSON; null until the job succeeds or when it set none.</summary>
    public JsonElement? Result { get; init; }

    /// <summary>A short, caller-safe summary of the last failure; null when none.</summary>
    public string? Error { get; init; }

    /// <summary>The owner tag given at enqueue; not written to HTTP responses.</summary>
    [JsonIgnore]
    public string? Owner { get; init; }

    /// <summary>True when the job is in a final state: succeeded, dead or cancelled.</summary>
    [JsonIgnore]
    public bool IsFinished => State is JobState.Succeeded or JobState.Dead or JobState.Cancelled;
}
