namespace Strata.Jobs.EntityFrameworkCore.Internal;

/// <summary>A paused queue: the row exists while the queue is paused for the whole fleet.</summary>
internal sealed class JobPauseEntity
{
    public string Queue { get; set; } = string.Empty;

    /// <summary>When it was paused (milliseconds since the Unix epoch), for people reading the table.</summary>
    public long PausedAt { get; set; }
}
