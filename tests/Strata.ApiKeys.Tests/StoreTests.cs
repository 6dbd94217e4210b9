using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using Strata.ApiKeys.Internal;

namespace Strata.ApiKeys.Tests;

public sealed class InMemoryStoreContractTests : ApiKeyStoreContractTests
{
    protected override async Task<IApiKeyStore> CreateStoreAsync(IReadOnlyList<StoredApiKey> seed)
    {
        var store = new InMemoryApiKeyStore();
        foreach (var key in seed)
        {
            await store.CreateAsync(key);
        }

        return store;
    }
}

public sealed class ConfigurationStoreContractTests : ApiKeyStoreContractTests
{
    protected override bool SupportsWrites => false;

    protected override Task<IApiKeyStore> CreateStoreAsync(IReadOnlyList<StoredApiKey> seed)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(seed.SelectMany(k => ToConfiguration(k, "ApiKeys")))
            .Build();
        return Task.FromResult<IApiKeyStore>(new ConfigurationApiKeyStore(configuration.GetSection("ApiKeys"), NullLogger<ConfigurationApiKeyStore>.Instance));
    }
}
