using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Strata.Dashboard.Internal.Health;

/// <summary>One store's health as the overview shows it: its name, state, the store's own description, and when it was read.</summary>
internal sealed record HealthReading(string Store, HealthStatus Status, string? Description)
{
    /// <summary>When the overview read it (set by <see cref="HealthSection"/>).</summary>
    public DateTimeOffset ReadAt { get; init; }

    /// <summary>"healthy", "degraded" or "unhealthy".</summary>
    public string StateText => Status switch
    {
        HealthStatus.Healthy => "healthy",
        HealthStatus.Degraded => "degraded",
        _ => "unhealthy",
    };
}
