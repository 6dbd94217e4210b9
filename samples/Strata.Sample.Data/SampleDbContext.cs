using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Strata.Sample.Data;

/// <summary>
/// The sample's database: documents, analyses, the Strata API-key table and the Strata job tables. The host registers a provider-specific
/// subclass (<see cref="SqliteSampleDbContext"/> or <see cref="PostgresSampleDbContext"/>, each with its own
/// migrations) and resolves it as <see cref="SampleDbContext"/>.
/// </summary>
public class SampleDbContext : DbContext
{
    private static readonly ValueConverter<List<string>, string> KeywordsToJson = new(
        keywords => JsonSerializer.Serialize(keywords, JsonSerializerOptions.Default),
        json => JsonSerializer.Deserialize<List<string>>(json, JsonSerializerOptions.Default) ?? new List<string>());

    private static readonly ValueComparer<List<string>> KeywordsComparer = new(
        (a, b) => a == null ? b == null : b != null && a.SequenceEqual(b),
        keywords => keywords.Aggregate(0, (hash, keyword) => HashCode.Combine(hash, keyword.GetHashCode(StringComparison.Ordinal))),
        keywords => keywords.ToList());

    /// <summary>Creates a context on options built for <see cref="SampleDbContext"/> itself.</summary>
    public SampleDbContext(DbContextOptions<SampleDbContext> options)
        : base(options)
    {
    }

    /// <summary>Creates a context on a subclass's options.</summary>
    protected SampleDbContext(DbContextOptions options)
        : base(options)
    {
    }

    public DbSet<Document> Documents => Set<Document>();

    public DbSet<Analysis> Analyses => Set<Analysis>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);

        modelBuilder.ApplyStrataApiKeys();
        modelBuilder.ApplyStrataJobs();   // the job tables, used when Jobs:Backend is "database"

        modelBuilder.Entity<Document>(entity =>
        {
            entity.ToTable("Documents");
            entity.HasKey(d => d.Id);
            entity.Property(d => d.Id).ValueGeneratedNever();
            entity.Property(d => d.OwnerKeyId).HasMaxLength(Document.OwnerKeyIdMaxLength).IsRequired();
            entity.Property(d => d.Text).IsRequired();
            entity.HasIndex(d => d.OwnerKeyId);
        });

        modelBuilder.Entity<Analysis>(entity =>
        {
            entity.ToTable("Analyses");
            entity.HasKey(a => a.Id);
            entity.Property(a => a.Id).ValueGeneratedNever();
            entity.Property(a => a.OwnerKeyId).HasMaxLength(Document.OwnerKeyIdMaxLength).IsRequired();
            entity.Property(a => a.JobId).HasMaxLength(Analysis.JobIdMaxLength);

            // One analysis per job: a job delivered twice (at-least-once) cannot store two. NULLs are distinct
            // in both SQLite and PostgreSQL, so analyses without a job are not constrained.
            entity.HasIndex(a => a.JobId).IsUnique();
            entity.HasIndex(a => a.OwnerKeyId);
            entity.Property(a => a.Summary).IsRequired();
            entity.Property(a => a.Sentiment).HasMaxLength(Analysis.SentimentMaxLength).IsRequired();

            // A JSON array in a text column: the same on every provider (no PostgreSQL array, no SQLite-only JSON).
            entity.Property(a => a.Keywords)
                .HasConversion(KeywordsToJson, KeywordsComparer)
                .IsRequired();

            entity.HasOne<Document>()
                .WithMany()
                .HasForeignKey(a => a.DocumentId)
                .OnDelete(DeleteBehavior.Cascade);
        });
    }
}

/// <summary>The SQLite flavour of <see cref="SampleDbContext"/>; its migrations live in <c>Migrations/Sqlite</c>.</summary>
public sealed class SqliteSampleDbContext(DbContextOptions<SqliteSampleDbContext> options) : SampleDbContext(options);

/// <summary>The PostgreSQL flavour of <see cref="SampleDbContext"/>; its migrations live in <c>Migrations/Postgres</c>.</summary>
public sealed class PostgresSampleDbContext(DbContextOptions<PostgresSampleDbContext> options) : SampleDbContext(options);
