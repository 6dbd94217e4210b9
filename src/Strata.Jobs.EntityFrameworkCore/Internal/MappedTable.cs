using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;

namespace Strata.Jobs.EntityFrameworkCore.Internal;

/// <summary>An entity's table and column names as the context maps them, quoted by the provider, for hand-written SQL.</summary>
internal sealed class MappedTable
{
    private readonly IEntityType _entity;
    private readonly StoreObjectIdentifier _table;
    private readonly ISqlGenerationHelper _helper;

    private MappedTable(IEntityType entity, ISqlGenerationHelper helper)
    {
        _entity = entity;
        _helper = helper;
        _table = StoreObjectIdentifier.Table(entity.GetTableName()!, entity.GetSchema());
        Name = helper.DelimitIdentifier(_table.Name, _table.Schema);
    }

    /// <summary>The table's quoted name, with its schema when it has one.</summary>
    public string Name { get; }

    /// <summary>The quoted column of <paramref name="property"/>.</summary>
    public string this[string property] => _helper.DelimitIdentifier(_entity.FindProperty(property)!.GetColumnName(_table)!);

    /// <summary>A statement that reads every mapped column and no row: it fails when the table or a column is missing.</summary>
    public string ProbeStatement() =>
        $"SELECT {string.Join(", ", _entity.GetProperties().Select(p => _helper.DelimitIdentifier(p.GetColumnName(_table)!)))} FROM {Name} WHERE 1 = 0";

    /// <summary>The table of <typeparamref name="TEntity"/>; throws naming the fix when the context does not map it (a model from before this version).</summary>
    public static MappedTable Of<TEntity>(DbContext db, ISqlGenerationHelper helper)
    {
        var entity = db.Model.FindEntityType(typeof(TEntity))
            ?? throw new InvalidOperationException($"{db.GetType().Name} does not map the job tables: call modelBuilder.ApplyStrataJobs() in its OnModelCreating, then add a migration.");
        return new MappedTable(entity, helper);
    }
}
