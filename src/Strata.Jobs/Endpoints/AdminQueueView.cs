using System.Text.Json.Serialization;

namespace Strata.Jobs;

/// <summary>A queue as <c>GET {prefix}/queues</c> writes it.</summary>
/// <param name="Name">The queue's name.</param>
/// <param name="Paused">True while paused fleet-wide.</param>
/// <param name="Counts">Jobs per state name (every state, zeros included).</param>
/// <param name="OldestQueuedAt">When the job that has waited longest became runnable; null when none waits.</param>
/// <remarks>Numbers are written and described as numbers only (<see cref="JsonNumberHandling.Strict"/>), whatever the app's JSON options.</remarks>
[JsonNumberHandling(JsonNumberHandling.Strict)]
internal sealed record AdminQueueView(
    string Name,
    bool Paused,
    IReadOnlyDictionary<string, long> Counts,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateTimeOffset? OldestQueuedAt)
{
    public static AdminQueueView From(JobQueueStatus queue) => new(
        queue.Name,
        queue.Paused,
        queue.Counts.OrderBy(c => c.Key).ToDictionary(c => c.Key.ToString(), c => c.Value, StringComparer.Ordinal),
        queue.OldestQueuedAt);
}
