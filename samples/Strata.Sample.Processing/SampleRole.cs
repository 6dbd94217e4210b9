using Microsoft.Extensions.Configuration;

namespace Strata.Sample.Processing;

/// <summary>The deployment shape of a sample process (<c>Strata:Role</c>, or <c>--role</c> on the command line).</summary>
public enum SampleRole
{
    /// <summary>One process: HTTP and workers, in-memory queue and limiter (the default).</summary>
    All,

    /// <summary>HTTP only: enqueues jobs to Redis and runs no workers.</summary>
    Api,

    /// <summary>Runs jobs from Redis and serves only <c>/health/*</c>.</summary>
    Worker,
}

/// <summary>Reads the role and the Redis connection string the roles share.</summary>
public static class SampleConfiguration
{
    /// <summary>The configuration key of the role.</summary>
    public const string RoleKey = "Strata:Role";

    /// <summary>The name of the Redis connection string (<c>ConnectionStrings:Redis</c>).</summary>
    public const string RedisConnectionName = "Redis";

    /// <summary>The role configured in <c>Strata:Role</c>; <see cref="SampleRole.All"/> when unset.</summary>
    /// <exception cref="InvalidOperationException">The value is not all, api or worker.</exception>
    public static SampleRole GetSampleRole(this IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var value = configuration[RoleKey];
        if (string.IsNullOrWhiteSpace(value))
        {
            return SampleRole.All;
        }

        return value.Trim().ToLowerInvariant() switch
        {
            "all" => SampleRole.All,
            "api" => SampleRole.Api,
            "worker" => SampleRole.Worker,
            _ => throw new InvalidOperationException(
                $"{RoleKey} (--role) is '{value}'; use all, api or worker."),
        };
    }

    /// <summary>The configuration key of the job backend.</summary>
    public const string JobBackendKey = "Jobs:Backend";

    /// <summary>
    /// The job backend in <c>Jobs:Backend</c>: <c>memory</c>, <c>redis</c> or <c>database</c> (the sample's own
    /// database, PostgreSQL for several processes). Unset: memory in role all, Redis in the api and worker roles.
    /// </summary>
    /// <exception cref="InvalidOperationException">The value is unknown, or memory in the api or worker role (the roles must share the queue).</exception>
    public static SampleJobBackend GetSampleJobBackend(this IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var role = configuration.GetSampleRole();
        var value = configuration[JobBackendKey];
        var backend = string.IsNullOrWhiteSpace(value)
            ? role == SampleRole.All ? SampleJobBackend.Memory : SampleJobBackend.Redis
            : value.Trim().ToLowerInvariant() switch
            {
                "memory" => SampleJobBackend.Memory,
                "redis" => SampleJobBackend.Redis,
                "database" => SampleJobBackend.Database,
                _ => throw new InvalidOperationException($"{JobBackendKey} is '{value}'; use memory, redis or database."),
            };
        if (backend == SampleJobBackend.Memory && role != SampleRole.All)
        {
            throw new InvalidOperationException(
                $"{JobBackendKey} is memory, but the {role.ToString().ToLowerInvariant()} role shares its queue with other processes: use redis or database.");
        }

        return backend;
    }

    /// <summary>
    /// <c>ConnectionStrings:Redis</c>, or null when unset. The api and worker roles require it, unless their queue is
    /// in the database (<c>Jobs:Backend=database</c>): then Redis is optional, and without it each api process keeps
    /// its own rate-limit counts.
    /// </summary>
    /// <exception cref="InvalidOperationException">The role is api or worker, the queue is not in the database, and no Redis connection string is set.</exception>
    public static string? GetSampleRedisConnectionString(this IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var redis = configuration.GetConnectionString(RedisConnectionName);
        if (string.IsNullOrWhiteSpace(redis))
        {
            var role = configuration.GetSampleRole();
            if (role != SampleRole.All && configuration.GetSampleJobBackend() != SampleJobBackend.Database)
            {
                throw new InvalidOperationException(
                    $"The {role.ToString().ToLowerInvariant()} role needs Redis: set ConnectionStrings:Redis " +
                    "(environment variable ConnectionStrings__Redis), e.g. 'localhost:6379', or keep the queue in the database with Jobs:Backend=database.");
            }

            return null;
        }

        return redis;
    }
}
