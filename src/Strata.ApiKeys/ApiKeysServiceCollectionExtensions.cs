using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Strata.ApiKeys;
using Strata.ApiKeys.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers Strata API keys: the authentication scheme, the key manager and the stores.</summary>
public static class ApiKeysServiceCollectionExtensions
{
    /// <summary>Adds the key manager, hashing, caching and last-used tracking. Choose a store on the returned builder.</summary>
    /// <param name="services">The services.</param>
    /// <returns>A builder to choose a store on.</returns>
    public static ApiKeysBuilder AddStrataApiKeys(this IServiceCollection services) => services.AddStrataApiKeys(static _ => { });

    /// <summary>Adds the key manager, hashing, caching and last-used tracking, with options. Choose a store on the returned builder.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Configures <see cref="ApiKeysOptions"/>.</param>
    /// <returns>A builder to choose a store on.</returns>
    public static ApiKeysBuilder AddStrataApiKeys(this IServiceCollection services, Action<ApiKeysOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.Configure(configure);
        AddCore(services);
        return new ApiKeysBuilder(services);
    }

    /// <summary>Adds the API-key scheme under <see cref="ApiKeyDefaults.AuthenticationScheme"/>.</summary>
    /// <param name="builder">The authentication builder.</param>
    /// <returns>The authentication builder.</returns>
    public static AuthenticationBuilder AddApiKey(this AuthenticationBuilder builder)
        => builder.AddApiKey(ApiKeyDefaults.AuthenticationScheme, displayName: null, static _ => { });

    /// <summary>Adds the API-key scheme under <see cref="ApiKeyDefaults.AuthenticationScheme"/>.</summary>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="configure">Configures the scheme's options.</param>
    /// <returns>The authentication builder.</returns>
    public static AuthenticationBuilder AddApiKey(this AuthenticationBuilder builder, Action<ApiKeyAuthenticationOptions> configure)
        => builder.AddApiKey(ApiKeyDefaults.AuthenticationScheme, displayName: null, configure);

    /// <summary>Adds an API-key scheme with the given name (several can coexist, with JWT bearer and cookies too).</summary>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="authenticationScheme">The scheme name.</param>
    /// <param name="configure">Configures the scheme's options.</param>
    /// <returns>The authentication builder.</returns>
    public static AuthenticationBuilder AddApiKey(this AuthenticationBuilder builder, string authenticationScheme, Action<ApiKeyAuthenticationOptions> configure)
        => builder.AddApiKey(authenticationScheme, displayName: null, configure);

    /// <summary>Adds an API-key scheme with the given name and display name.</summary>
    /// <param name="builder">The authentication builder.</param>
    /// <param name="authenticationScheme">The scheme name.</param>
    /// <param name="displayName">The display name, or <see langword="null"/>.</param>
    /// <param name="configure">Configures the scheme's options.</param>
    /// <returns>The authentication builder.</returns>
    public static AuthenticationBuilder AddApiKey(this AuthenticationBuilder builder, string authenticationScheme, string? displayName, Action<ApiKeyAuthenticationOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(authenticationScheme);
        ArgumentNullException.ThrowIfNull(configure);

        AddCore(builder.Services);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ApiKeyAuthenticationOptions>, ApiKeyAuthenticationOptionsValidator>());
        builder.Services.AddOptions<ApiKeyAuthenticationOptions>(authenticationScheme).ValidateOnStart();
        builder.Services.AddSingleton(new ApiKeySchemeRegistration(authenticationScheme));
        return builder.AddScheme<ApiKeyAuthenticationOptions, ApiKeyAuthenticationHandler>(authenticationScheme, displayName, configure);
    }

    /// <summary>Keeps keys in process memory (lost on restart): for tests, demos and hosts that seed keys at start.</summary>
    /// <param name="builder">The API-keys builder.</param>
    /// <returns>The builder.</returns>
    public static ApiKeysBuilder UseInMemoryStore(this ApiKeysBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<IApiKeyStore, InMemoryApiKeyStore>());
        return builder;
    }

    /// <summary>
    /// Reads keys (hashes only) from a configuration section keyed by key id; reloaded when the configuration
    /// changes. Read-only: the key manager's writes throw <see cref="NotSupportedException"/>. A bad entry stops the
    /// host at start-up; a bad reload is logged and the previous keys stay in force.
    /// </summary>
    /// <param name="builder">The API-keys builder.</param>
    /// <param name="section">The section, for example <c>builder.Configuration.GetSection("ApiKeys")</c>.</param>
    /// <returns>The builder.</returns>
    public static ApiKeysBuilder UseConfigurationStore(this ApiKeysBuilder builder, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(section);
        builder.Services.Replace(ServiceDescriptor.Singleton<IApiKeyStore>(sp =>
            new ConfigurationApiKeyStore(section, sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<ConfigurationApiKeyStore>>())));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ConfigurationStoreStartupCheck>());
        return builder;
    }

    /// <summary>Uses your own <see cref="IApiKeyStore"/> (registered as a singleton; it must be thread-safe).</summary>
    /// <typeparam name="TStore">The store type.</typeparam>
    /// <param name="builder">The API-keys builder.</param>
    /// <returns>The builder.</returns>
    public static ApiKeysBuilder UseStore<TStore>(this ApiKeysBuilder builder)
        where TStore : class, IApiKeyStore
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<IApiKeyStore, TStore>());
        return builder;
    }

    private static void AddCore(IServiceCollection services)
    {
        services.AddOptions<ApiKeysOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ApiKeysOptions>, ApiKeysOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddHybridCache();
        services.AddMetrics();
        services.TryAddSingleton<ApiKeyDiagnostics>();
        services.TryAddSingleton(sp => new ApiKeyHasher(sp.GetRequiredService<IOptions<ApiKeysOptions>>().Value.Pepper));
        // The three that need the store are built by factories taking it through MissingRegistration.StoreOf: a
        // forgotten store is then reported with the call to add (by the options validator at start, or on first use
        // outside a host), instead of the container's message naming internal types.
        services.TryAddSingleton(static sp => ActivatorUtilities.CreateInstance<ApiKeyLookup>(sp, MissingRegistration.StoreOf(sp)));
        services.TryAddSingleton<BruteForceGuard>();
        services.TryAddSingleton(static sp => ActivatorUtilities.CreateInstance<LastUsedTracker>(sp, MissingRegistration.StoreOf(sp)));
        services.TryAddSingleton<ApiKeyAuthenticationServices>();
        services.TryAddSingleton<ApiKeySchemePrefixes>();
        services.TryAddSingleton<IApiKeyManager>(static sp => ActivatorUtilities.CreateInstance<ApiKeyManager>(sp, MissingRegistration.StoreOf(sp)));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, LastUsedFlushService>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, ApiKeysAnnouncement>());
    }
}
