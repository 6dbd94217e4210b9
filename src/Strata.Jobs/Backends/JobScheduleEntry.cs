namespace Strata.Jobs.Backends;

/// <summary>
/// A recurring job's schedule as a backend stores it: a name, a version for compare-and-set writes, and data that only
/// Strata reads (JSON). See <see cref="IJobBackend.SaveScheduleAsync"/>.
/// </summary>
/// <param name="Name">The schedule's name, unique per backend.</param>
/// <param name="Version">Starts at 1 and grows by one with every write.</param>
/// <param name="Data">Strata's data for the schedule (JSON); stored and returned unchanged.</param>
public sealed record JobScheduleEntry(string Name, long Version, string Data);
