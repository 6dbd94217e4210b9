namespace Strata.Jobs.EntityFrameworkCore.Internal;

/// <summary>One held slot of a fleet-wide concurrency cap, until its lease runs out.</summary>
internal sealed class JobSlotEntity
{
    public const int ScopeLength = 200;

    public string Scope { get; set; } = string.Empty;

    public string Holder { get; set; } = string.Empty;

    public long LeaseUntil { get; set; }
}
