using Microsoft.Extensions.DependencyInjection;

namespace Strata.ApiKeys.Internal;

/// <summary>
/// What a host that forgot a registration is told: the call to add, never an internal type. The services that need
/// the store take it through <see cref="StoreOf"/>, so dependency injection's own "unable to resolve ... while
/// activating Strata.ApiKeys.Internal..." never reaches the user (at build in Development, at start, or on first use).
/// </summary>
internal static class MissingRegistration
{
    public const string NoStore =
        "Strata.ApiKeys has no key store. Call builder.Services.AddStrataApiKeys().UseInMemoryStore() "
        + "(or .UseConfigurationStore(builder.Configuration.GetSection(\"ApiKeys\")), .UseEntityFrameworkStore<TContext>() from "
        + "Strata.ApiKeys.EntityFrameworkCore, or .UseStore<TStore>() for your own IApiKeyStore); "
        + "builder.Services.AddAuthentication().AddApiKey() adds only the authentication scheme.";

    public static IApiKeyStore StoreOf(IServiceProvider services)
        => services.GetService<IApiKeyStore>() ?? throw new InvalidOperationException(NoStore);
}
