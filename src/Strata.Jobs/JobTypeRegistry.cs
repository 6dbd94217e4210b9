using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Strata.Jobs;

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

internal sealed class JobTypeRegistration<TJob>(string name, JsonTypeInfo<TJob>? typeInfo) : JobTypeRegistration(name)
{
    private JsonTypeInfo<TJob>? _typeInfo = typeInfo;

    public override Type JobType => typeof(TJob);

    public JsonTypeInfo<TJob> GetTypeInfo(JsonSerializerOptions options)
    {
        if (_typeInfo is null)
        {
            options.MakeReadOnly(populateMissingResolver: true);
            _typeInfo = (JsonTypeInfo<TJob>)options.GetTypeInfo(typeof(TJob));
        }

        return _typeInfo;
    }

    public string Serialize(TJob job, JsonSerializerOptions options) => JsonSerializer.Serialize(job, GetTypeInfo(options));

    public override object Deserialize(string payload, JsonSerializerOptions options) =>
        JsonSerializer.Deserialize(payload, GetTypeInfo(options))
        ?? throw new JsonException("The payload is JSON null.");

    public override Task InvokeAsync(IServiceProvider services, object job, JobContext context) =>
        services.GetRequiredService<IJobHandler<TJob>>().HandleAsync((TJob)job, context);
}

/// <summary>All job types of the host, by name and by CLR type.</summary>
internal sealed class JobTypeRegistry
{
    private readonly Dictionary<string, JobTypeRegistration> _byName = new(StringComparer.Ordinal);
    private readonly Dictionary<Type, JobTypeRegistration> _byType = [];

    public JobTypeRegistry(IEnumerable<JobTypeRegistration> registrations, IOptions<JobsOptions> options)
    {
        SerializerOptions = options.Value.SerializerOptions;
        foreach (var registration in registrations)
        {
            // A type registered with a handler wins over an enqueue-only registration of the same type.
            if (_byType.TryGetValue(registration.JobType, out var existing))
            {
                if (existing.HandlerType is not null || registration.HandlerType is null)
                {
                    continue;
                }

                _byName.Remove(existing.Name);
            }

            if (_byName.TryGetValue(registration.Name, out var clash) && clash.JobType != registration.JobType)
            {
                throw new InvalidOperationException(
                    $"Job types {clash.JobType.FullName} and {registration.JobType.FullName} are both registered as '{registration.Name}'; give one of them another name.");
            }

            _byName[registration.Name] = registration;
            _byType[registration.JobType] = registration;
        }
    }

    public JsonSerializerOptions SerializerOptions { get; }

    public JobTypeRegistration<TJob> Get<TJob>() =>
        _byType.TryGetValue(typeof(TJob), out var registration)
            ? (JobTypeRegistration<TJob>)registration
            : throw new InvalidOperationException(
                $"Job type {typeof(TJob).FullName} is not registered; call AddHandler<{typeof(TJob).Name}, THandler>() or AddJob<{typeof(TJob).Name}>() on the builder returned by AddStrataJobs().");

    public bool TryGetHandler(string name, out JobTypeRegistration registration)
    {
        if (_byName.TryGetValue(name, out registration!) && registration.HandlerType is not null)
        {
            return true;
        }

        registration = null!;
        return false;
    }
}
