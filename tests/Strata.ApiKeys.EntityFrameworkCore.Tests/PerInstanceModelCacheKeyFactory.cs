using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace Strata.ApiKeys.EntityFrameworkCore.Tests;

/// <summary>One model cache entry per context instance, so each test (and each mutant) sees the model its own code builds.</summary>
public sealed class PerInstanceModelCacheKeyFactory : IModelCacheKeyFactory
{
    public object Create(DbContext context, bool designTime) => (context, designTime);
}
