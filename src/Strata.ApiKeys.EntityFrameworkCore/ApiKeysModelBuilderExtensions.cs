using Strata.ApiKeys;
using Strata.ApiKeys.EntityFrameworkCore;

namespace Microsoft.EntityFrameworkCore;

/// <summary>Maps the Strata API-key table into your own <see cref="DbContext"/>.</summary>
public static class ApiKeysModelBuilderExtensions
{
    /// <summary>The default table name: <c>"StrataApiKeys"</c>.</summary>
    public const string DefaultTableName = "StrataApiKeys";

    /// <summary>
    /// Adds the API-key table to the model. Call it from <c>OnModelCreating</c>, then add a migration (or
    /// <c>EnsureCreated</c>). Only key hashes are stored, never keys.
    /// </summary>
    /// <param name="modelBuilder">The model builder.</param>
    /// <param name="tableName">The table name. <value>Default <c>"StrataApiKeys"</c>.</value></param>
    /// <param name="schema">The schema, or <see langword="null"/> for the provider's default.</param>
    /// <returns>The model builder.</returns>
    public static ModelBuilder ApplyStrataApiKeys(this ModelBuilder modelBuilder, string tableName = DefaultTableName, string? schema = null)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        ArgumentException.ThrowIfNullOrWhiteSpace(tableName);

        modelBuilder.Entity<ApiKeyEntity>(entity =>
        {
            entity.ToTable(tableName, schema);
            entity.HasKey(e => e.Id);
            entity.Property(e => e.Id).HasMaxLength(ApiKeyEntity.IdLength);
            entity.Property(e => e.Hash).HasMaxLength(ApiKeyEntity.HashLength).IsRequired();
            entity.HasIndex(e => e.Hash).IsUnique();
            entity.Property(e => e.Owner).HasMaxLength(ApiKeyEntity.OwnerLength).IsRequired();
            // The list order, for keyset paging with and without an owner (the first also serves owner lookups).
            entity.HasIndex(e => new { e.Owner, e.CreatedAtUtcTicks, e.Id });
            entity.HasIndex(e => new { e.CreatedAtUtcTicks, e.Id });
            entity.Property(e => e.Name).HasMaxLength(ApiKeyEntity.NameLength);
            entity.Property(e => e.Prefix).HasMaxLength(ApiKeyFormat.MaxPrefixLength).IsRequired();
            entity.Property(e => e.Scopes).IsRequired();
            entity.Property(e => e.Metadata).IsRequired();
            entity.Property(e => e.AllowedNetworks).IsRequired();
            entity.Property(e => e.ReplacedById).HasMaxLength(ApiKeyEntity.IdLength);

            // Optimistic concurrency: every UPDATE says "WHERE Version = <the version read>", so two nodes editing
            // one key cannot overwrite each other.
            entity.Property(e => e.Version).IsConcurrencyToken();
        });
        return modelBuilder;
    }
}
