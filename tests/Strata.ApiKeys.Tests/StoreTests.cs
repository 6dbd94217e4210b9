using System.Globalization;
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

    /// <summary>Configuration entries (key id => fields) for a configuration-bound store.</summary>
    private static IEnumerable<KeyValuePair<string, string?>> ToConfiguration(StoredApiKey key, string section)
    {
        var r = key.Record;
        var p = $"{section}:{r.Id}:";
        yield return new(p + "Owner", r.Owner);
        yield return new(p + "Hash", key.Hash);
        yield return new(p + "CreatedAt", r.CreatedAt.ToString("O", CultureInfo.InvariantCulture));
        if (r.Name is not null)
        {
            yield return new(p + "Name", r.Name);
        }

        if (r.Prefix.Length > 0)
        {
            yield return new(p + "Prefix", r.Prefix);
        }

        if (r.ExpiresAt is { } expires)
        {
            yield return new(p + "ExpiresAt", expires.ToString("O", CultureInfo.InvariantCulture));
        }

        if (r.RevokedAt is { } revoked)
        {
            yield return new(p + "RevokedAt", revoked.ToString("O", CultureInfo.InvariantCulture));
        }

        if (r.IsDisabled)
        {
            yield return new(p + "Disabled", "true");
        }

        for (var i = 0; i < r.Scopes.Count; i++)
        {
            yield return new($"{p}Scopes:{i}", r.Scopes[i]);
        }

        for (var i = 0; i < r.AllowedNetworks.Count; i++)
        {
            yield return new($"{p}AllowedNetworks:{i}", r.AllowedNetworks[i]);
        }

        foreach (var (name, value) in r.Metadata)
        {
            yield return new($"{p}Metadata:{name}", value);
        }
    }
}
