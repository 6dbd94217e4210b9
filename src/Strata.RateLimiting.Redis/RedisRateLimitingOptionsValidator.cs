using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Strata.RateLimiting.Redis;

/// <summary>Checks <see cref="RedisRateLimitingOptions"/> on start, naming every bad setting.</summary>
internal sealed class RedisRateLimitingOptionsValidator(IServiceProvider services) : IValidateOptions<RedisRateLimitingOptions>
{
    public ValidateOptionsResult Validate(string? name, RedisRateLimitingOptions options)
    {
        var errors = new List<string>();
        if (!string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            CheckConnectionString(options.ConnectionString, errors);
        }
        else
        {
            var key = options.ConnectionServiceKey;
            var registered = key is null
                ? services.GetService<IServiceProviderIsService>()?.IsService(typeof(IConnectionMultiplexer))
                : services.GetService<IServiceProviderIsKeyedService>()?.IsKeyedService(typeof(IConnectionMultiplexer), key);
            if (registered == false)
            {
                errors.Add(key is null
                    ? "RedisRateLimitingOptions.ConnectionString is not set and no IConnectionMultiplexer is registered: pass a connection string to AddRedisRateLimiting or register one IConnectionMultiplexer."
                    : $"RedisRateLimitingOptions.ConnectionServiceKey is '{key}' but no IConnectionMultiplexer is registered with that key.");
            }
        }

        if (string.IsNullOrWhiteSpace(options.KeyPrefix) || options.KeyPrefix.AsSpan().IndexOfAny('{', '}') >= 0)
        {
            errors.Add($"RedisRateLimitingOptions.KeyPrefix must be non-empty and contain no '{{' or '}}' (the partition is the key's hash tag), but is '{options.KeyPrefix}'.");
        }

        if (options.CommandTimeout <= TimeSpan.Zero)
        {
            errors.Add($"RedisRateLimitingOptions.CommandTimeout must be positive, but is {options.CommandTimeout}.");
        }

        if (options.FailureThreshold < 1)
        {
            errors.Add($"RedisRateLimitingOptions.FailureThreshold must be at least 1, but is {options.FailureThreshold}.");
        }

        if (options.BreakDuration <= TimeSpan.Zero)
        {
            errors.Add($"RedisRateLimitingOptions.BreakDuration must be positive, but is {options.BreakDuration}.");
        }

        if (options.FallbackNodeCount < 1)
        {
            errors.Add($"RedisRateLimitingOptions.FallbackNodeCount must be at least 1, but is {options.FallbackNodeCount}.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>A connection string that StackExchange.Redis cannot read, or that names no server, stops the host here rather than at the first request.</summary>
    private static void CheckConnectionString(string connectionString, List<string> errors)
    {
        ConfigurationOptions configuration;
        try
        {
            configuration = ConfigurationOptions.Parse(connectionString);
        }
        catch (ArgumentException ex)
        {
            // The message of StackExchange.Redis names the bad keyword; the connection string itself may hold a password.
            errors.Add($"RedisRateLimitingOptions.ConnectionString is not a valid StackExchange.Redis configuration: {ex.Message}");
            return;
        }

        if (configuration.EndPoints.Count == 0)
        {
            errors.Add("RedisRateLimitingOptions.ConnectionString names no server: give at least one host:port, for example 'localhost:6379'.");
        }
    }
}
