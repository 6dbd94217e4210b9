using Microsoft.Extensions.DependencyInjection;
using Strata.ApiKeys.Internal;

namespace Strata.ApiKeys.Tests;

/// <summary>
/// The lookup's local front at its bound (<see cref="ApiKeyLookup.MaxLocalEntries"/>, 10,000 keys): a new key starts
/// the table over, a key already in it does not (found by the Stryker run over ApiKeyLookup, docs/testing.md).
/// </summary>
public sealed class LocalFrontBoundTests
{
    private const int Bound = ApiKeyLookup.MaxLocalEntries;

    [Fact]
    public async Task Local_front_starts_over_when_it_reaches_its_bound()
    {
        await using var app = await TestApp.StartAsync(keys: o =>
        {
            o.CacheDuration = TimeSpan.FromHours(1);
            o.BruteForce.Enabled = false;
        });
        var lookup = app.App.Services.GetRequiredService<ApiKeyLookup>();
        var keys = new List<string>(Bound + 1);
        for (var i = 0; i <= Bound; i++)
        {
            keys.Add((await app.CreateKeyAsync()).Key);
        }

        foreach (var key in keys.Take(Bound))
        {
            (await lookup.FindAsync(key, CancellationToken.None)).Should().NotBeNull();
        }

        lookup.LocalEntryCount.Should().Be(Bound, "the table holds as many keys as its bound");

        // A key already in the full table, read again once stale: its entry is replaced, the table is not started over.
        app.Time.Advance(TimeSpan.FromHours(1));
        (await lookup.FindAsync(keys[0], CancellationToken.None)).Should().NotBeNull();
        lookup.LocalEntryCount.Should().Be(Bound, "a key already in the table does not start it over");

        // One key more than the bound: the table starts over with it.
        (await lookup.FindAsync(keys[Bound], CancellationToken.None)).Should().NotBeNull();
        lookup.LocalEntryCount.Should().Be(1, "a new key at the bound starts the table over");

        // The keys dropped from the local front are still answered from HybridCache, without the store.
        var lookups = app.Store.FindByHashCalls;
        (await lookup.FindAsync(keys[0], CancellationToken.None)).Should().NotBeNull();
        app.Store.FindByHashCalls.Should().Be(lookups, "keys[0] was refreshed an instant ago and HybridCache still holds it");
        lookup.LocalEntryCount.Should().Be(2);
    }
}
