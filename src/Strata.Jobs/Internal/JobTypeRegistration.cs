using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Strata.Jobs.Internal;

/// <summary>One registered job type: its name, payload metadata and, when this host runs it, its handler.</summary>
internal abstract class JobTypeRegistration
{
    private long _threadHold;

    protected JobTypeRegistration(string name)
    {
        Name = name;
    }

    public string Name { get; }

    public abstract Type JobType { get; }

    /// <summary>The handler type, or null for a job type that is only enqueued here.</summary>
    public Type? HandlerType { get; private init; }

    /// <summary>
    /// True when this type's handlers have lately held the calling thread for more than
    /// <see cref="ThreadHoldLimit"/> before their first incomplete await (a moving average over recent jobs):
    /// the worker then starts them on the thread pool rather than on its dispatch loop.
    /// </summary>
    public bool HoldsThread => Volatile.Read(ref _threadHold) > ThreadHoldLimit;

    /// <summary>The synchronous part of a handler that still runs on the dispatch loop: 50 microseconds.</summary>
    internal static long ThreadHoldLimit { get; } = System.Diagnostics.Stopwatch.Frequency / 20_000;

    /// <summary>Adds one job's synchronous time (Stopwatch ticks) to the moving average (weight 1/8; races only blur it).</summary>
    public void RecordThreadHold(long ticks)
    {
        var average = Volatile.Read(ref _threadHold);
        Volatile.Write(ref _threadHold, average + ((ticks - average) / 8));
    }

    public static JobTypeRegistration Create<TJob>(string? name, JsonTypeInfo<TJob>? typeInfo, Type? handlerType)
    {
        if (name is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(name);
        }

        return new JobTypeRegistration<TJob>(name ?? typeof(TJob).Name, typeInfo) { HandlerType = handlerType };
    }

    /// <summary>Reads a payload; throws <see cref="JsonException"/> or <see cref="NotSupportedException"/> when it cannot.</summary>
    public abstract object Deserialize(string payload, JsonSerializerOptions options);

    /// <summary>Resolves the handler from <paramref name="services"/> and runs it.</summary>
    public abstract Task InvokeAsync(IServiceProvider services, object job, JobContext context);
}
