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

    /// <summary>
    /// <c>ConnectionStrings:Redis</c>, or null when unset. The api and worker roles require it.
    /// </summary>
    /// <exception cref="InvalidOperationException">The role is api or worker and no Redis connection string is set.</exception>
    public static string? GetSampleRedisConnectionString(this IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var redis = configuration.GetConnectionString(RedisConnectionName);
        if (string.IsNullOrWhiteSpace(redis))
        {
            var role = configuration.GetSampleRole();
            if (role != SampleRole.All)
            {
                throw new InvalidOperationException(
                    $"The {role.ToString().ToLowerInvariant()} role needs Redis: set ConnectionStrings:Redis " +
                    "(environment variable ConnectionStrings__Redis), e.g. 'localhost:6379'.");
            }

            return null;
        }

        return redis;
    }
}
