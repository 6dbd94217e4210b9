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
    /// Adds the job table and the idempotency-key table, with their indexes, to the model, and the four small tables
    /// of queue control: paused queues, recurring-job schedules, concurrency slots and rate-limit permits (named after
    /// the job table without its final <c>s</c>: <c>StrataJobPauses</c>, <c>StrataJobSchedules</c>,
    /// <c>StrataJobSlots</c>, <c>StrataJobPermits</c> by default). Call it from <c>OnModelCreating</c>, then add a
    /// migration (or <c>EnsureCreated</c>).
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
            entity.Property(e => e.LimitKey).HasMaxLength(JobEntity.LimitKeyLength);

            // Receive: the runnable jobs of a queue, oldest first.
            entity.HasIndex(e => new { e.Queue, e.State, e.RunAt });
            // Reclaim: running jobs whose lease ran out; heartbeats: the jobs of a lease.
            entity.HasIndex(e => new { e.State, e.LeaseUntil });
            entity.HasIndex(e => e.LeaseToken);
            // Expiry of finished jobs.
            entity.HasIndex(e => e.ExpiresAt);
            // Search, newest first, read backwards: every job; one state (of one queue); one queue; one owner.
            entity.HasIndex(e => new { e.CreatedAt, e.Id });
            entity.HasIndex(e => new { e.State, e.Queue, e.CreatedAt, e.Id });
            entity.HasIndex(e => new { e.Queue, e.CreatedAt, e.Id });
            entity.HasIndex(e => new { e.Owner, e.CreatedAt, e.Id });
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

        var prefix = tableName.EndsWith('s') ? tableName[..^1] : tableName;
        modelBuilder.Entity<JobPauseEntity>(entity =>
        {
            entity.ToTable(prefix + "Pauses", schema);
            entity.HasKey(e => e.Queue);
            entity.Property(e => e.Queue).HasMaxLength(JobEntity.QueueLength);
        });

        modelBuilder.Entity<JobScheduleEntity>(entity =>
        {
            entity.ToTable(prefix + "Schedules", schema);
            entity.HasKey(e => e.Name);
            entity.Property(e => e.Name).HasMaxLength(JobScheduleEntity.NameLength);
            entity.Property(e => e.Data).IsRequired();
        });

        modelBuilder.Entity<JobSlotEntity>(entity =>
        {
            entity.ToTable(prefix + "Slots", schema);
            entity.HasKey(e => new { e.Scope, e.Holder });
            entity.Property(e => e.Scope).HasMaxLength(JobSlotEntity.ScopeLength);
            entity.Property(e => e.Holder).HasMaxLength(JobEntity.IdLength);
        });

        modelBuilder.Entity<JobPermitEntity>(entity =>
        {
            entity.ToTable(prefix + "Permits", schema);
            entity.HasKey(e => e.Id);
            entity.Property(e => e.Id).ValueGeneratedOnAdd();
            entity.Property(e => e.Key).HasMaxLength(JobSlotEntity.ScopeLength).IsRequired();
            entity.HasIndex(e => new { e.Key, e.TakenAt });
        });
        return modelBuilder;
    }
}
