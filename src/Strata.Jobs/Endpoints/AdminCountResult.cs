namespace Strata.Jobs;

/// <summary>What a bulk admin operation answers: how many jobs it touched.</summary>
/// <param name="Count">How many jobs were requeued or deleted.</param>
internal sealed record AdminCountResult(long Count);
