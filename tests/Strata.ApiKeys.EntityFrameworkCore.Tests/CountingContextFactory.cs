using Microsoft.EntityFrameworkCore;

namespace Strata.ApiKeys.EntityFrameworkCore.Tests;

/// <summary>A context factory that keeps every context it made, to show who used it and whether it was disposed.</summary>
public sealed class CountingContextFactory(string path, bool mapKeys) : IDbContextFactory<FreshModelDbContext>
{
    public List<FreshModelDbContext> Created { get; } = [];

    public FreshModelDbContext CreateDbContext()
    {
        var db = FreshModelDbContext.OnFile(path, mapKeys: mapKeys);
        Created.Add(db);
        return db;
    }
}
