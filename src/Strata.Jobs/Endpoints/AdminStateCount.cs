using System.Text.Json.Serialization;

namespace Strata.Jobs;

/// <summary>How many jobs of one queue are in one state, as <c>GET {prefix}/counts</c> writes it.</summary>
/// <param name="Queue">The queue.</param>
/// <param name="State">The state.</param>
/// <param name="Count">The number of jobs.</param>
/// <remarks>Numbers are written and described as numbers only (<see cref="JsonNumberHandling.Strict"/>), whatever the app's JSON options.</remarks>
[JsonNumberHandling(JsonNumberHandling.Strict)]
internal sealed record AdminStateCount(
    string Queue,
    [property: JsonConverter(typeof(JsonStringEnumConverter<JobState>))] JobState State,
    long Count);
