using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Strata.Jobs.Backends;
using Strata.Jobs.EntityFrameworkCore.Internal;

namespace Strata.Jobs.EntityFrameworkCore;

/// <summary>Enqueues a job inside your own <see cref="DbContext"/> transaction: the job exists if and only if the transaction commits.</summary>
public static class TransactionalJobQueueExtensions
{
    /// <summary>
    /// Enqueues <paramref name="job"/> on <paramref name="context"/>'s connection, inside its current transaction
    /// (<c>context.Database.BeginTransactionAsync()</c>): a rollback leaves no job, a commit leaves exactly one, and
    /// workers see it once the transaction commits. Without a transaction it is stored at once. Needs the database
    /// backend (<c>UseEntityFramework&lt;TContext&gt;()</c>) with the job tables in <paramref name="context"/>'s database.
    /// </summary>
    /// <typeparam name="TJob">The payload type.</typeparam>
    /// <param name="queue">The job queue.</param>
    /// <param name="context">The context whose transaction the job joins.</param>
    /// <param name="job">The payload.</param>
    /// <param name="options">Per-job options.</param>
    /// <param name="cancellationToken">Cancels the enqueue.</param>
    /// <returns>The job's id.</returns>
    /// <exception cref="InvalidOperationException">The host's job backend is not the database backend (nothing was enqueued in the transaction).</exception>
    public static async ValueTask<string> EnqueueInTransactionAsync<TJob>(this IJobQueue queue, DbContext context, TJob job, JobOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queue);
        ArgumentNullException.ThrowIfNull(context);

        // Refuse before anything is stored when the context's host keeps jobs elsewhere.
        var services = context.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.ApplicationServiceProvider;
        if (services?.GetService(typeof(IJobBackend)) is IJobBackend backend && backend is not IEntityFrameworkJobBackend)
        {
            throw NotTheDatabaseBackend(context, backend.Name);
        }

        var enlistment = new TransactionalEnqueue(context);
        TransactionalEnqueue.Current = enlistment;
        string jobId;
        try
        {
            jobId = await queue.EnqueueAsync(job, options, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            TransactionalEnqueue.Current = null;
        }

        if (!enlistment.Used)
        {
            throw new InvalidOperationException($"Job {jobId} was enqueued outside the transaction. " + NotTheDatabaseBackend(context, "another").Message);
        }

        return jobId;
    }

    private static InvalidOperationException NotTheDatabaseBackend(DbContext context, string backend) => new(
        $"A job cannot join {context.GetType().Name}'s transaction: this host keeps jobs in the {backend} backend, not the database. " +
        $"Call AddStrataJobs().UseEntityFramework<{context.GetType().Name}>() to enqueue jobs in a DbContext transaction.");
}
