using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Strata.Jobs.EntityFrameworkCore.Internal;

/// <summary>
/// One unit of work on the database: a context from its own scope (or the caller's context, for a transactional
/// enqueue), its open connection and, when asked, a transaction. Commands run on ADO.NET: one round trip each.
/// </summary>
internal sealed class DbSession : IAsyncDisposable
{
    private readonly AsyncServiceScope? _scope;
    private readonly bool _ownsContext;
    private DbTransaction? _ownTransaction;

    private DbSession(AsyncServiceScope? scope, DbContext context, bool ownsContext)
    {
        _scope = scope;
        _ownsContext = ownsContext;
        Context = context;
    }

    public DbContext Context { get; }

    private DbConnection Connection => Context.Database.GetDbConnection();

    /// <summary>Opens a session on a new context of <typeparamref name="TContext"/>.</summary>
    public static async ValueTask<DbSession> OpenAsync<TContext>(IServiceScopeFactory scopes, CancellationToken cancellationToken)
        where TContext : DbContext
    {
        var scope = scopes.CreateAsyncScope();
        try
        {
            var factory = scope.ServiceProvider.GetService<IDbContextFactory<TContext>>();
            var context = factory is not null
                ? await factory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false)
                : scope.ServiceProvider.GetRequiredService<TContext>();
            var session = new DbSession(scope, context, ownsContext: factory is not null);
            await context.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            return session;
        }
        catch
        {
            await scope.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Opens a session on the caller's context: its connection, inside its current transaction if it has one.</summary>
    public static async ValueTask<DbSession> JoinAsync(DbContext context, CancellationToken cancellationToken)
    {
        await context.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return new DbSession(scope: null, context, ownsContext: false);
    }

    /// <summary>True when the commands run inside a transaction (the caller's, or one begun here).</summary>
    public bool InTransaction => _ownTransaction is not null || Context.Database.CurrentTransaction is not null;

    /// <summary>Begins a transaction of this session unless the caller's context already has one.</summary>
    public async ValueTask BeginAsync(CancellationToken cancellationToken)
    {
        if (!InTransaction)
        {
            _ownTransaction = await Connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Commits the transaction begun here (the caller's is the caller's to commit).</summary>
    public async ValueTask CommitAsync(CancellationToken cancellationToken)
    {
        if (_ownTransaction is not null)
        {
            await _ownTransaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            await _ownTransaction.DisposeAsync().ConfigureAwait(false);
            _ownTransaction = null;
        }
    }

    public DbCommand Command(string sql)
    {
        var command = Connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = _ownTransaction ?? Context.Database.CurrentTransaction?.GetDbTransaction();
        return command;
    }

    public async ValueTask DisposeAsync()
    {
        if (_ownTransaction is not null)
        {
            await _ownTransaction.DisposeAsync().ConfigureAwait(false);
        }

        await Context.Database.CloseConnectionAsync().ConfigureAwait(false);
        if (_ownsContext)
        {
            await Context.DisposeAsync().ConfigureAwait(false);
        }

        if (_scope is { } scope)
        {
            await scope.DisposeAsync().ConfigureAwait(false);
        }
    }
}
