using System.Text.Json;
using Microsoft.Extensions.Options;

namespace Strata.Jobs.Internal;

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
