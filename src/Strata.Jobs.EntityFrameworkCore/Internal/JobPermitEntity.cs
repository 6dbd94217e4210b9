namespace Strata.Jobs.EntityFrameworkCore.Internal;

/// <summary>One permit taken from a fleet-wide rate limit (a sliding-window log: a row per permit, forgotten after the window).</summary>
internal sealed class JobPermitEntity
{
    public long Id { get; set; }

    public string Key { get; set; } = string.Empty;

    public long TakenAt { get; set; }
}
