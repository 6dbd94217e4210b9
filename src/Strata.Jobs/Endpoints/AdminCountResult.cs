using System.Text.Json.Serialization;

namespace Strata.Jobs;

/// <summary>What a bulk admin operation answers: how many jobs it touched.</summary>
/// <param name="Count">How many jobs were requeued or deleted.</param>
/// <remarks>Numbers are written and described as numbers only (<see cref="JsonNumberHandling.Strict"/>), whatever the app's JSON options.</remarks>
[JsonNumberHandling(JsonNumberHandling.Strict)]
internal sealed record AdminCountResult(long Count);
