using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Strata.ApiKeys.EntityFrameworkCore.Tests;

/// <summary>Each store method refuses a missing or impossible argument at the call, naming it.</summary>
// The lambdas drop the returned task on purpose: the refusal comes from the call itself, before any task exists.
public sealed class EntityFrameworkStoreArgumentTests : IDisposable
{
    private readonly SqliteDatabase _database = new();
    private readonly ServiceProvider _provider;
    private readonly IApiKeyStore _store;

    public EntityFrameworkStoreArgumentTests()
    {
        var services = new ServiceCollection();
        services.AddDbContext<AppDbContext>(o => o.UseSqlite(_database.ConnectionString));
        services.AddStrataApiKeys().UseEntityFrameworkStore<AppDbContext>();
        _provider = services.BuildServiceProvider();
        _store = _provider.GetRequiredService<IApiKeyStore>();
    }

    [Fact]
    public void Lookups_and_deletes_refuse_a_null_hash_or_id()
    {
        FluentActions.Invoking(() => { _ = _store.FindByHashAsync(null!); }).Should().Throw<ArgumentNullException>().WithParameterName("hash");
        FluentActions.Invoking(() => { _ = _store.FindByIdAsync(null!); }).Should().Throw<ArgumentNullException>().WithParameterName("id");
        FluentActions.Invoking(() => { _ = _store.DeleteAsync(null!); }).Should().Throw<ArgumentNullException>().WithParameterName("id");
    }

    [Fact]
    public void Writes_refuse_a_null_key_record_or_last_used_map()
    {
        FluentActions.Invoking(() => { _ = _store.CreateAsync(null!); }).Should().Throw<ArgumentNullException>().WithParameterName("key");
        FluentActions.Invoking(() => { _ = _store.UpdateAsync(null!); }).Should().Throw<ArgumentNullException>().WithParameterName("record");
        FluentActions.Invoking(() => { _ = _store.RecordLastUsedAsync(null!); }).Should().Throw<ArgumentNullException>().WithParameterName("lastUsed");
    }

    [Fact]
    public void Listing_refuses_a_null_query_or_a_limit_below_one()
    {
        FluentActions.Invoking(() => { _ = _store.ListAsync(null!); }).Should().Throw<ArgumentNullException>().WithParameterName("query");
        FluentActions.Invoking(() => { _ = _store.ListAsync(new ApiKeyStoreQuery { Limit = 0 }); }).Should().Throw<ArgumentOutOfRangeException>()
            .WithParameterName("query.Limit");
    }

    public void Dispose()
    {
        _provider.Dispose();
        _database.Dispose();
    }
}
