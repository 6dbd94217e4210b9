using Microsoft.EntityFrameworkCore;

namespace Strata.Jobs.EntityFrameworkCore.TestWorker;

/// <summary>
/// A job that takes a while and then records its number (once, however often it runs). A gated job first waits until
/// the gate row exists, so a test can keep it running for as long as it needs.
/// </summary>
public sealed record CrashJob(int Number, int Milliseconds, bool Gated = false);

public sealed class CrashJobHandler(CrashDbContext db) : IJobHandler<CrashJob>
{
    public async Task HandleAsync(CrashJob job, JobContext context)
    {
        while (job.Gated && !await db.Gates.AnyAsync(context.CancellationToken))
        {
            await Task.Delay(20, context.CancellationToken);
        }

        await Task.Delay(job.Milliseconds, context.CancellationToken);
        await db.Database.ExecuteSqlAsync($"INSERT INTO \"Done\" (\"Number\") VALUES ({job.Number}) ON CONFLICT DO NOTHING", context.CancellationToken);
    }
}

/// <summary>The crash test's database: the job tables, the numbers done, and the gate.</summary>
public sealed class CrashDbContext(DbContextOptions<CrashDbContext> options) : DbContext(options)
{
    public DbSet<Done> Done => Set<Done>();

    public DbSet<Gate> Gates => Set<Gate>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyStrataJobs();
        modelBuilder.Entity<Done>().ToTable("Done").HasKey(d => d.Number);
        modelBuilder.Entity<Done>().Property(d => d.Number).ValueGeneratedNever();
        modelBuilder.Entity<Gate>().ToTable("Gate").HasKey(g => g.Id);
    }
}

public sealed class Done
{
    public int Number { get; set; }
}

public sealed class Gate
{
    public int Id { get; set; }
}
