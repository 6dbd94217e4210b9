using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace Strata.ApiKeys.EntityFrameworkCore.Tests;

/// <summary>The table <c>ApplyStrataApiKeys</c> maps: the model Entity Framework Core builds from it, and what SQLite does with it.</summary>
public sealed class EntityFrameworkModelTests : IDisposable
{
    private readonly TempSqliteFile _file = new();

    [Fact]
    public void Model_maps_the_key_table_with_its_key_lengths_required_columns_indexes_and_concurrency_token()
    {
        using var db = FreshModelDbContext.OnFile(_file.FilePath);
        var entity = db.Model.FindEntityType(typeof(ApiKeyEntity));

        entity.Should().NotBeNull("ApplyStrataApiKeys adds the key table to the model");
        entity!.GetTableName().Should().Be("StrataApiKeys");
        entity.GetSchema().Should().BeNull();
        entity.FindPrimaryKey()!.Properties.Select(p => p.Name).Should().Equal(nameof(ApiKeyEntity.Id));
        Column(entity, nameof(ApiKeyEntity.Id)).Should().Be((64, false));
        Column(entity, nameof(ApiKeyEntity.Hash)).Should().Be((64, false));
        Column(entity, nameof(ApiKeyEntity.Owner)).Should().Be((256, false));
        Column(entity, nameof(ApiKeyEntity.Name)).Should().Be((256, true));
        Column(entity, nameof(ApiKeyEntity.Prefix)).Should().Be((ApiKeyFormat.MaxPrefixLength, false));
        Column(entity, nameof(ApiKeyEntity.Scopes)).Should().Be(((int?)null, false));
        Column(entity, nameof(ApiKeyEntity.Metadata)).Should().Be(((int?)null, false));
        Column(entity, nameof(ApiKeyEntity.AllowedNetworks)).Should().Be(((int?)null, false));
        Column(entity, nameof(ApiKeyEntity.ReplacedById)).Should().Be((64, true));
        entity.FindProperty(nameof(ApiKeyEntity.Version))!.IsConcurrencyToken.Should().BeTrue();
        entity.GetProperties().Where(p => p.IsConcurrencyToken).Should().ContainSingle("only Version guards writes");
        entity.GetIndexes().Select(i => (string.Join(",", i.Properties.Select(p => p.Name)), i.IsUnique)).Should().BeEquivalentTo(
        [
            ("Hash", true),
            ("Owner,CreatedAtUtcTicks,Id", false),
            ("CreatedAtUtcTicks,Id", false),
        ]);
    }

    [Fact]
    public void Model_uses_the_table_name_and_schema_it_is_given()
    {
        using var db = FreshModelDbContext.OnFile(_file.FilePath, "TenantKeys", "auth");
        var entity = db.Model.FindEntityType(typeof(ApiKeyEntity))!;

        entity.GetTableName().Should().Be("TenantKeys");
        entity.GetSchema().Should().Be("auth");
    }

    [Fact]
    public void Created_SQLite_table_has_the_chosen_name_and_a_unique_index_on_the_hash()
    {
        using (var db = FreshModelDbContext.OnFile(_file.FilePath, "TenantKeys"))
        {
            db.Database.EnsureCreated().Should().BeTrue();
        }

        _file.Query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite%'").Select(r => (string)r[0]!)
            .Should().Equal("TenantKeys");
        var indexes = _file.Query("PRAGMA index_list('TenantKeys')")
            .Where(r => (string)r[3]! == "c") // made by CREATE INDEX, not the primary key's own
            .Select(r => (Columns: string.Join(",", _file.Query($"PRAGMA index_info('{r[1]}')").Select(c => (string)c[2]!)), Unique: (long)r[2]! == 1))
            .ToList();
        indexes.Should().BeEquivalentTo(
        [
            (Columns: "Hash", Unique: true),
            (Columns: "Owner,CreatedAtUtcTicks,Id", Unique: false),
            (Columns: "CreatedAtUtcTicks,Id", Unique: false),
        ]);
        _file.Query("SELECT name FROM pragma_table_info('TenantKeys') WHERE pk = 1").Select(r => (string)r[0]!).Should().Equal("Id");
    }

    [Fact]
    public async Task SQLite_refuses_a_second_row_with_the_same_hash()
    {
        await using (var setup = FreshModelDbContext.OnFile(_file.FilePath))
        {
            await setup.Database.EnsureCreatedAsync();
            setup.Add(Row("key_a", new string('a', 64)));
            await setup.SaveChangesAsync();
        }

        await using var db = FreshModelDbContext.OnFile(_file.FilePath);
        db.Add(Row("key_b", new string('a', 64)));

        (await FluentActions.Awaiting(() => db.SaveChangesAsync()).Should().ThrowAsync<DbUpdateException>())
            .WithInnerException<Microsoft.Data.Sqlite.SqliteException>().WithMessage("*UNIQUE*Hash*");
    }

    [Fact]
    public async Task A_write_from_a_stale_read_of_the_same_row_is_refused_by_the_version_token()
    {
        await using (var setup = FreshModelDbContext.OnFile(_file.FilePath))
        {
            await setup.Database.EnsureCreatedAsync();
            setup.Add(Row("key_a", new string('a', 64)));
            await setup.SaveChangesAsync();
        }

        await using var a = FreshModelDbContext.OnFile(_file.FilePath);
        await using var b = FreshModelDbContext.OnFile(_file.FilePath);
        var rowA = await a.Set<ApiKeyEntity>().SingleAsync();
        var rowB = await b.Set<ApiKeyEntity>().SingleAsync();
        rowA.IsDisabled = true;
        rowA.Version++;
        await a.SaveChangesAsync();
        rowB.Name = "stale";
        rowB.Version++;

        await FluentActions.Awaiting(() => b.SaveChangesAsync()).Should().ThrowAsync<DbUpdateConcurrencyException>();
        _file.Query("SELECT Name, IsDisabled, Version FROM StrataApiKeys").Single().Should().Equal(null, 1L, 2L);
    }

    [Fact]
    public void ApplyStrataApiKeys_refuses_a_missing_builder_or_table_name()
    {
        FluentActions.Invoking(() => ((ModelBuilder)null!).ApplyStrataApiKeys()).Should().Throw<ArgumentNullException>().WithParameterName("modelBuilder");
        FluentActions.Invoking(() => new ModelBuilder().ApplyStrataApiKeys(null!)).Should().Throw<ArgumentNullException>().WithParameterName("tableName");
        FluentActions.Invoking(() => new ModelBuilder().ApplyStrataApiKeys(" ")).Should().Throw<ArgumentException>().WithParameterName("tableName");
    }

    [Fact]
    public void UseEntityFrameworkStore_refuses_a_missing_builder()
    {
        FluentActions.Invoking(() => ((ApiKeysBuilder)null!).UseEntityFrameworkStore<AppDbContext>()).Should().Throw<ArgumentNullException>().WithParameterName("builder");
    }

    public void Dispose() => _file.Dispose();

    private static (int? MaxLength, bool IsNullable) Column(IEntityType entity, string name)
    {
        var property = entity.FindProperty(name)!;
        return (property.GetMaxLength(), property.IsNullable);
    }

    private static ApiKeyEntity Row(string id, string hash) => new()
    {
        Id = id,
        Hash = hash,
        Owner = "owner",
        Prefix = "sk_test",
        CreatedAt = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero),
        CreatedAtUtcTicks = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks,
        Version = 1,
    };
}
