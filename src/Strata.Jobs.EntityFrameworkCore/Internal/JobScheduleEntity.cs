namespace Strata.Jobs.EntityFrameworkCore.Internal;

/// <summary>A recurring job's schedule: Strata's data under a version that grows with every compare-and-set write.</summary>
internal sealed class JobScheduleEntity
{
    public const int NameLength = 200;

    public string Name { get; set; } = string.Empty;

    public long Version { get; set; }

    public string Data { get; set; } = string.Empty;
}
