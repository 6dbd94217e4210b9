using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Strata.ApiKeys.EntityFrameworkCore.Tests;

/// <summary>The start-up check and the store with the context from a registered <c>IDbContextFactory</c>.</summary>
public sealed class EntityFrameworkStartupCheckTests : IDisposable
{
    private readonly TempSqliteFile _file = new();

    [Fact]
    public async Task Check_of_a_context_that_maps_the_table_passes_and_disposes_the_context_it_made()
    {
        var factory = new CountingContextFactory(_file.FilePath, mapKeys: true);
        await using var provider = Build(factory);

        await StartupCheck(provider).StartAsync(CancellationToken.None);

        factory.Created.Should().ContainSingle("the check takes its context from the registered factory")
            .Which.IsDisposed.Should().BeTrue();
    }

    [Fact]
    public async Task Check_of_a_context_without_the_mapping_names_the_fix_and_still_disposes_the_context()
    {
        var factory = new CountingContextFactory(_file.FilePath, mapKeys: false);
        await using var provider = Build(factory);

        var start = () => StartupCheck(provider).StartAsync(CancellationToken.None);

        (await start.Should().ThrowAsync<InvalidOperationException>())
            .WithMessage("FreshModelDbContext does not map the API-key table: call modelBuilder.ApplyStrataApiKeys() in its OnModelCreating, then add a migration.");
        factory.Created.Should().ContainSingle().Which.IsDisposed.Should().BeTrue();
    }

    [Fact]
    public async Task Store_takes_each_context_from_the_registered_factory_and_disposes_it()
    {
        var factory = new CountingContextFactory(_file.FilePath, mapKeys: true);
        await using var provider = Build(factory);
        await using (var setup = factory.CreateDbContext())
        {
            await setup.Database.EnsureCreatedAsync();
        }

        var found = await provider.GetRequiredService<IApiKeyStore>().FindByIdAsync("key_a");

        found.Should().BeNull();
        factory.Created.Should().HaveCount(2, "one for the set-up, one for the lookup");
        factory.Created.Should().OnlyContain(db => db.IsDisposed);
    }

    public void Dispose() => _file.Dispose();

    private static ServiceProvider Build(CountingContextFactory factory)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<Microsoft.EntityFrameworkCore.IDbContextFactory<FreshModelDbContext>>(factory);
        services.AddStrataApiKeys().UseEntityFrameworkStore<FreshModelDbContext>();
        return services.BuildServiceProvider();
    }

    private static IHostedService StartupCheck(ServiceProvider provider) =>
        provider.GetServices<IHostedService>().OfType<EntityFrameworkStoreStartupCheck<FreshModelDbContext>>().Single();
}
