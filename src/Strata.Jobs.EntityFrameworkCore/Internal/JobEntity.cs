namespace Strata.Jobs.EntityFrameworkCore.Internal;

/// <summary>
/// The row of one job: its envelope, its status and its lease. Times are milliseconds since the Unix epoch (UTC), so
/// every provider compares them the same way.
/// </summary>
internal sealed class JobEntity
{
    public const int IdLength = 128;
    public const int QueueLength = 64;
    public const int TypeLength = 256;
    public const int OwnerLength = 256;
    public const int KeyLength = 256;
    public const int TokenLength = 32;
    public const int LimitKeyLength = 128;

    public string Id { get; set; } = string.Empty;

    public string Queue { get; set; } = string.Empty;

    public string JobType { get; set; } = string.Empty;

    public string Payload { get; set; } = string.Empty;

    /// <summary>A <c>JobState</c>.</summary>
    public int State { get; set; }

    /// <summary>The attempt running or last run (0 before the first starts), as the status shows it.</summary>
    public int Attempt { get; set; }

    /// <summary>The attempt the next delivery runs.</summary>
    public int NextAttempt { get; set; }

    public int MaxAttempts { get; set; }

    public long? TimeoutMs { get; set; }

    public string? Owner { get; set; }

    public long CreatedAt { get; set; }

    /// <summary>When the waiting attempt became runnable, for the wait-time metric.</summary>
    public long EnqueuedAt { get; set; }

    /// <summary>When the job may be handed out (queued: its enqueue; scheduled or failed: the delay's end).</summary>
    public long RunAt { get; set; }

    /// <summary>Enqueue order among jobs of the same <see cref="RunAt"/> (increasing within a process; ties across processes are broken by id).</summary>
    public long Sequence { get; set; }

    public string? IdempotencyKey { get; set; }

    /// <summary>The rate limit the job counts against (<c>JobEnvelope.LimitKey</c>); null for none.</summary>
    public string? LimitKey { get; set; }

    public string? TraceParent { get; set; }

    public string? TraceState { get; set; }

    /// <summary>The receipt of the live delivery; null while nobody holds the job.</summary>
    public string? LeaseToken { get; set; }

    /// <summary>When the live delivery's lease runs out unless its worker renews it.</summary>
    public long? LeaseUntil { get; set; }

    /// <summary>Deliveries of the current attempt (above 1 after a worker stopped holding it).</summary>
    public int Deliveries { get; set; }

    public bool CancelRequested { get; set; }

    public long? StartedAt { get; set; }

    public long? CompletedAt { get; set; }

    public int? Progress { get; set; }

    public string? ProgressMessage { get; set; }

    public string? Result { get; set; }

    public string? Error { get; set; }

    /// <summary>When a finished job's status is forgotten.</summary>
    public long? ExpiresAt { get; set; }
}
