using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Strata.Jobs.Testing;
using Strata.Testing;

namespace Strata.Jobs.EntityFrameworkCore.Tests;

/// <summary>
/// A job enqueued inside the caller's DbContext transaction exists if and only if that transaction commits. "Never ran"
/// is shown by a marker job enqueued after it: it is handed out oldest first, so the marker finishing means the
/// workers already looked past where the first job would be.
/// </summary>
public abstract class TransactionalEnqueueTests : JobBackendTestBase
{
    private bool _inMemory;

    protected abstract ITestDatabase Database { get; }

    protected override void UseBackend(JobsBuilder builder)
    {
        builder.Services.AddDbContext<AppDbContext>(Database.Configure);
        if (!_inMemory)
        {
            builder.UseEntityFramework<AppDbContext>(o => o.PollInterval = TimeSpan.FromMilliseconds(200));
        }
    }

    [Fact]
    public async Task A_rolled_back_transaction_leaves_no_job_and_no_order()
    {
        var host = await StartHostAsync();
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();

        string id;
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            db.Orders.Add(new Order { Item = "rolled back" });
            await db.SaveChangesAsync();
            id = await host.Queue.EnqueueInTransactionAsync(db, new EchoJob("rolled back"));
            await transaction.RollbackAsync();
        }

        var marker = await host.Queue.EnqueueAsync(new EchoJob("marker"));
        await host.WaitForStateAsync(marker, JobState.Succeeded);

        host.Probe.Runs.Should().Equal("marker");
        (await host.Store.GetAsync(id)).Should().BeNull("the job went with the transaction");
        (await CountJobRowsAsync(db, id)).Should().Be(0);
        (await db.Orders.CountAsync()).Should().Be(0);
    }

    [Fact]
    public async Task A_committed_transaction_leaves_exactly_one_job_which_runs_once()
    {
        var host = await StartHostAsync();
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();

        string id;
        await using (var transaction = await db.Database.BeginTransactionAsync())
        {
            db.Orders.Add(new Order { Item = "committed" });
            await db.SaveChangesAsync();
            id = await host.Queue.EnqueueInTransactionAsync(db, new EchoJob("committed"), new JobOptions { IdempotencyKey = "order-1" });
            await transaction.CommitAsync();
        }

        (await host.WaitForStateAsync(id, JobState.Succeeded)).Attempt.Should().Be(1);
        var marker = await host.Queue.EnqueueAsync(new EchoJob("marker"));
        await host.WaitForStateAsync(marker, JobState.Succeeded);

        host.Probe.Runs.Should().Equal("committed", "marker");
        (await CountJobRowsAsync(db, id)).Should().Be(1);
        (await db.Orders.CountAsync()).Should().Be(1);
    }

    [Fact]
    public async Task A_job_committed_by_a_host_that_stops_before_any_wake_up_still_runs_on_another()
    {
        // The enqueuing host runs no workers and stops right after the commit: no wake-up reaches any worker, as when
        // the process dies between its commit and its signal. The job is in the database; a worker finds it by polling.
        var api = await StartHostAsync(o => o.RunWorkers = false);
        string id;
        await using (var scope = api.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
            await using var transaction = await db.Database.BeginTransactionAsync();
            id = await api.Queue.EnqueueInTransactionAsync(db, new EchoJob("survives"));
            await transaction.CommitAsync();
        }

        await api.StopAsync();
        var worker = await StartHostAsync();

        await worker.WaitForStateAsync(id, JobState.Succeeded);
        worker.Probe.Runs.Should().Equal("survives");
    }

    [Fact]
    public async Task Enqueueing_in_a_transaction_on_another_backend_is_refused_before_anything_is_stored()
    {
        _inMemory = true;
        var host = await StartHostAsync();
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();

        var enqueue = async () => await host.Queue.EnqueueInTransactionAsync(db, new EchoJob("refused"));

        (await enqueue.Should().ThrowAsync<InvalidOperationException>())
            .WithMessage("*in-memory backend*UseEntityFramework<AppDbContext>()*");
        var marker = await host.Queue.EnqueueAsync(new EchoJob("marker"));
        await host.WaitForStateAsync(marker, JobState.Succeeded);
        host.Probe.Runs.Should().Equal("marker");
    }

    private static async Task<int> CountJobRowsAsync(AppDbContext db, string id) =>
        await db.Database.SqlQuery<int>($"SELECT COUNT(*) AS \"Value\" FROM \"StrataJobs\" WHERE \"Id\" = {id}").SingleAsync();
}

public sealed class SqliteTransactionalEnqueueTests : TransactionalEnqueueTests, IDisposable
{
    private readonly SqliteDatabase _database = new();

    protected override ITestDatabase Database => _database;

    public void Dispose() => _database.Dispose();
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresTransactionalEnqueueTests(PostgresCluster cluster) : TransactionalEnqueueTests, IAsyncLifetime
{
    private PostgresDatabase? _database;

    protected override ITestDatabase Database => _database!;

    async Task IAsyncLifetime.InitializeAsync()
    {
        _database = await PostgresDatabase.CreateAsync(cluster);
        await InitializeAsync();
    }

    [Fact]
    public async Task Workers_do_not_see_a_job_while_its_transaction_is_open()
    {
        var host = await StartHostAsync();
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AppDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync();
        var id = await host.Queue.EnqueueInTransactionAsync(db, new EchoJob("pending"));

        var marker = await host.Queue.EnqueueAsync(new EchoJob("marker"));
        await host.WaitForStateAsync(marker, JobState.Succeeded);
        host.Probe.Runs.Should().Equal("marker");
        (await host.Store.GetAsync(id)).Should().BeNull("another connection cannot see an uncommitted row");

        await transaction.CommitAsync();
        await host.WaitForStateAsync(id, JobState.Succeeded);
        host.Probe.Runs.Should().Equal("marker", "pending");
    }
}
