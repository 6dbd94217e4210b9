namespace Strata.Jobs.EntityFrameworkCore.Internal;

/// <summary>An idempotency key of a queue, held by one job until it expires.</summary>
internal sealed class JobKeyEntity
{
    public string Queue { get; set; } = string.Empty;

    public string Key { get; set; } = string.Empty;

    public string JobId { get; set; } = string.Empty;

    public long ExpiresAt { get; set; }
}
