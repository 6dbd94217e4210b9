using System.Net;
using Strata.ApiKeys.Internal;

namespace Strata.ApiKeys.Tests;

/// <summary>What the store answers to a lookup by hash is confirmed against the presented key before it is trusted.</summary>
public sealed class StoreAnswerConfirmationTests
{
    [Fact]
    public async Task Record_whose_hash_does_not_match_the_presented_key_gets_401()
    {
        var store = new WrongAnswerStore(new InMemoryApiKeyStore());
        await using var app = await TestApp.StartAsync(keys: o => o.NegativeCacheDuration = TimeSpan.Zero, sharedInner: store);
        var victim = await app.CreateKeyAsync();
        store.Answer = await store.FindByIdAsync(victim.Record.Id);
        var lookupsBefore = app.Store.FindByHashCalls;

        // A store matching with a broken index or a careless collation: any hash finds the victim's record.
        var response = await app.GetAsync("/me", ApiKeyFormat.Generate("sk_test"));

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "the record's hash is not the hash of the presented key");
        app.Store.FindByHashCalls.Should().BeGreaterThan(lookupsBefore, "the store was asked and answered with the wrong record");
        (await app.GetAsync("/me", victim.Key)).StatusCode.Should().Be(HttpStatusCode.OK, "the victim's own key still matches its record");
    }

    [Fact]
    public async Task Record_with_no_hash_gets_401_not_a_server_error()
    {
        // Mutation testing (docs/testing.md): a hash check that let a null hash through to the decoder survived.
        var store = new WrongAnswerStore(new InMemoryApiKeyStore());
        await using var app = await TestApp.StartAsync(keys: o => o.NegativeCacheDuration = TimeSpan.Zero, sharedInner: store);
        var victim = await app.CreateKeyAsync();
        var stored = (await store.FindByIdAsync(victim.Record.Id))!;
        // A store whose hash column came back empty (a custom store, a bad migration): nothing can be confirmed.
        store.Answer = new StoredApiKey { Record = stored.Record, Hash = null!, Version = stored.Version };

        var response = await app.GetAsync("/me", victim.Key);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized, "a record whose hash cannot be read matches no key");
    }

    /// <summary>Answers every lookup by hash with <see cref="Answer"/>, whatever the hash.</summary>
    private sealed class WrongAnswerStore(IApiKeyStore inner) : IApiKeyStore
    {
        public StoredApiKey? Answer { get; set; }

        public Task<StoredApiKey?> FindByHashAsync(string hash, CancellationToken cancellationToken = default) =>
            Answer is null ? inner.FindByHashAsync(hash, cancellationToken) : Task.FromResult<StoredApiKey?>(Answer);

        public Task<StoredApiKey?> FindByIdAsync(string id, CancellationToken cancellationToken = default) => inner.FindByIdAsync(id, cancellationToken);

        public Task<IReadOnlyList<StoredApiKey>> ListAsync(ApiKeyStoreQuery query, CancellationToken cancellationToken = default) => inner.ListAsync(query, cancellationToken);

        public Task CreateAsync(StoredApiKey key, CancellationToken cancellationToken = default) => inner.CreateAsync(key, cancellationToken);

        public Task<bool> UpdateAsync(ApiKeyRecord record, long? expectedVersion = null, CancellationToken cancellationToken = default) =>
            inner.UpdateAsync(record, expectedVersion, cancellationToken);

        public Task<bool> DeleteAsync(string id, CancellationToken cancellationToken = default) => inner.DeleteAsync(id, cancellationToken);

        public Task RecordLastUsedAsync(IReadOnlyDictionary<string, DateTimeOffset> lastUsed, CancellationToken cancellationToken = default) =>
            inner.RecordLastUsedAsync(lastUsed, cancellationToken);
    }
}
