using Strata.Jobs.EntityFrameworkCore.Internal;

namespace Microsoft.EntityFrameworkCore;

/// <summary>Maps the Strata job tables into your own <see cref="DbContext"/>.</summary>
public static class JobsModelBuilderExtensions
{
    /// <summary>The default name of the job table: <c>"StrataJobs"</c>.</summary>
    public const string DefaultTableName = "StrataJobs";

    /// <summary>The default name of the idempotency-key table: <c>"StrataJobKeys"</c>.</summary>
    public const string DefaultKeyTableName = "StrataJobKeys";

    /// <summary>
    /// Adds the job table and the idempotency-key table, with their indexes, to the model. Call it from
    /// <c>OnModelCreating</c>, then add a migration (or <c>EnsureCreated</c>).
    /// </summary>
    /// <param name="modelBuilder">The model builder.</param>
    /// <param name="tableName">The job table. <value>Default <c>"StrataJobs"</c>.</value></param>
    /// <param name="keyTableName">The idempotency-key table. <value>Default <c>"StrataJobKeys"</c>.</value></param>
    /// <param name="schema">The schema, or <see langword="null"/> for the provider's default.</param>
    /// <returns>The model builder.</returns>
    public static ModelBuilder ApplyStrataJobs(this ModelBuilder modelBuilder, string tableName = DefaultTableName, string keyTableName = DefaultKeyTableName, string? schema = null)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);
        ArgumentException.ThrowIfNullOrWhiteSpace(tableName);
        ArgumentException.ThrowIfNullOrWhiteSpace(keyTableName);

        modelBuilder.Entity<JobEntity>(entity =>
        {
            entity.ToTable(tableName, schema);
            entity.HasKey(e => e.Id);
            entity.Property(e => e.Id).HasMaxLength(JobEntity.IdLength);
            entity.Property(e => e.Queue).HasMaxLength(JobEntity.QueueLength).IsRequired();
            entity.Property(e => e.JobType).HasMaxLength(JobEntity.TypeLength).IsRequired();
            entity.Property(e => e.Payload).IsRequired();
            entity.Property(e => e.Owner).HasMaxLength(JobEntity.OwnerLength);
            entity.Property(e => e.IdempotencyKey).HasMaxLength(JobEntity.KeyLength);
            entity.Property(e => e.LeaseToken).HasMaxLength(JobEntity.TokenLength);

            // Receive: the runnable jobs of a queue, oldest first.
            entity.HasIndex(e => new { e.Queue, e.State, e.RunAt });
            // Reclaim: running jobs whose lease ran out; heartbeats: the jobs of a lease.
            entity.HasIndex(e => new { e.State, e.LeaseUntil });
            entity.HasIndex(e => e.LeaseToken);
            // Expiry of finished jobs.
            entity.HasIndex(e => e.ExpiresAt);
        });

        modelBuilder.Entity<JobKeyEntity>(entity =>
        {
            entity.ToTable(keyTableName, schema);
            entity.HasKey(e => new { e.Queue, e.Key });
            entity.Property(e => e.Queue).HasMaxLength(JobEntity.QueueLength);
            entity.Property(e => e.Key).HasMaxLength(JobEntity.KeyLength);
            entity.Property(e => e.JobId).HasMaxLength(JobEntity.IdLength).IsRequired();
            entity.HasIndex(e => e.ExpiresAt);
        });
        return modelBuilder;
    }
}
