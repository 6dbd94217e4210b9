using System.Net;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace Strata.Redis;

/// <summary>
/// Where a Redis package gets its connection, chosen once by one precedence (first set wins):
/// <c>ConnectionMultiplexerFactory</c>, <c>ConfigurationOptions</c>, <c>Configuration</c>, the keyed
/// <c>IConnectionMultiplexer</c> named by <c>ConnectionServiceKey</c>, the unkeyed <c>IConnectionMultiplexer</c> in DI.
/// A connection made from a configuration is the package's own (disposed with it); any other is the host's.
/// </summary>
internal sealed class RedisConnectionSource
{
    private readonly Func<Task<IConnectionMultiplexer>> _connect;
    private readonly Func<IEnumerable<EndPoint>?> _endpoints;

    private RedisConnectionSource(string kind, Func<Task<IConnectionMultiplexer>> connect, bool owned, Func<IEnumerable<EndPoint>?> endpoints)
    {
        Kind = kind;
        _connect = connect;
        Owned = owned;
        _endpoints = endpoints;
    }

    /// <summary>Which setting won, for the start-up line: for example <c>Configuration</c> or <c>IConnectionMultiplexer from DI</c>.</summary>
    public string Kind { get; }

    /// <summary>True when the connection is made from a configuration, so the package disposes it.</summary>
    public bool Owned { get; }

    /// <summary>Chooses the source; <paramref name="adjust"/> tunes a configuration the package connects with itself.</summary>
    public static RedisConnectionSource Choose(IRedisConnectionSettings settings, IServiceProvider services, Action<ConfigurationOptions> adjust)
    {
        if (settings.ConnectionMultiplexerFactory is { } factory)
        {
            return new RedisConnectionSource("ConnectionMultiplexerFactory", factory, owned: false, static () => null);
        }

        if (settings.ConfigurationOptions is { } options)
        {
            return Own("ConfigurationOptions", options.Clone(), adjust);
        }

        if (!string.IsNullOrWhiteSpace(settings.Configuration))
        {
            return Own("Configuration", ConfigurationOptions.Parse(settings.Configuration), adjust);
        }

        if (settings.ConnectionServiceKey is { } key)
        {
            return new RedisConnectionSource(
                $"IConnectionMultiplexer from DI (key '{key}')",
                () => Task.FromResult(services.GetRequiredKeyedService<IConnectionMultiplexer>(key)),
                owned: false,
                () => services.GetKeyedService<IConnectionMultiplexer>(key)?.GetEndPoints(configuredOnly: true));
        }

        return new RedisConnectionSource(
            "IConnectionMultiplexer from DI",
            () => Task.FromResult(services.GetRequiredService<IConnectionMultiplexer>()),
            owned: false,
            () => services.GetService<IConnectionMultiplexer>()?.GetEndPoints(configuredOnly: true));
    }

    /// <summary>Connects (or takes the host's multiplexer).</summary>
    public Task<IConnectionMultiplexer> ConnectAsync() => _connect();

    /// <summary>The servers, <c>host:port</c> comma-separated, never the configuration itself (it may hold a password).</summary>
    public string EndPoints()
    {
        var endpoints = _endpoints();
        var text = endpoints is null ? string.Empty : Join(endpoints);
        return text.Length == 0 ? "servers of the ConnectionMultiplexerFactory" : text;
    }

    /// <summary>For the start-up line: <c>redis at host:port (Configuration), prefix strata:rl:</c>.</summary>
    public string Describe(string keyPrefix) => $"redis at {EndPoints()} ({Kind}), prefix {keyPrefix}";

    /// <summary>Endpoints as <c>host:port</c>, comma-separated.</summary>
    public static string Join(IEnumerable<EndPoint> endpoints) => string.Join(", ", endpoints.Select(endpoint => endpoint switch
    {
        DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        _ => endpoint.ToString(),
    }));

    /// <summary>
    /// The start-of-settings errors shared by both packages: a configuration StackExchange.Redis cannot read or that
    /// names no server, a keyed service that is not registered, or no connection at all. Messages never quote the
    /// configuration (it may hold a password).
    /// </summary>
    public static void Validate(IRedisConnectionSettings settings, IServiceProvider services, string optionsName, string useRedisCall, List<string> errors)
    {
        if (settings.ConnectionMultiplexerFactory is not null)
        {
            return;
        }

        if (settings.ConfigurationOptions is { } options)
        {
            if (options.EndPoints.Count == 0)
            {
                errors.Add($"{optionsName}.ConfigurationOptions names no server: add at least one endpoint, for example 'localhost:6379'.");
            }

            return;
        }

        if (!string.IsNullOrWhiteSpace(settings.Configuration))
        {
            try
            {
                if (ConfigurationOptions.Parse(settings.Configuration).EndPoints.Count == 0)
                {
                    errors.Add($"{optionsName}.Configuration names no server: give at least one host:port, for example 'localhost:6379'.");
                }
            }
            catch (ArgumentException ex)
            {
                // StackExchange.Redis's message names the bad keyword, not the whole string.
                errors.Add($"{optionsName}.Configuration is not a valid StackExchange.Redis configuration: {ex.Message}");
            }

            return;
        }

        if (settings.ConnectionServiceKey is { } key)
        {
            if (services.GetService<IServiceProviderIsKeyedService>()?.IsKeyedService(typeof(IConnectionMultiplexer), key) == false)
            {
                errors.Add($"{optionsName}.ConnectionServiceKey is '{key}' but no IConnectionMultiplexer is registered with that key: register one with services.AddKeyedSingleton<IConnectionMultiplexer>(\"{key}\", ...).");
            }

            return;
        }

        if (services.GetService<IServiceProviderIsService>()?.IsService(typeof(IConnectionMultiplexer)) == false)
        {
            errors.Add($"{optionsName} has no connection: pass one to {useRedisCall} (for example UseRedis(\"localhost:6379\")), set Configuration, ConfigurationOptions or ConnectionMultiplexerFactory, or register an IConnectionMultiplexer in DI.");
        }
    }

    private static RedisConnectionSource Own(string kind, ConfigurationOptions configuration, Action<ConfigurationOptions> adjust)
    {
        // A host starts while Redis is down, and the multiplexer reconnects on its own.
        configuration.AbortOnConnectFail = false;
        configuration.SetDefaultPorts();
        adjust(configuration);
        return new RedisConnectionSource(
            kind,
            async () => await ConnectionMultiplexer.ConnectAsync(configuration).ConfigureAwait(false),
            owned: true,
            () => configuration.EndPoints);
    }
}
