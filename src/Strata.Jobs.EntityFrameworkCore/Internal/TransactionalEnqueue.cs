using Microsoft.EntityFrameworkCore;

namespace Strata.Jobs.EntityFrameworkCore.Internal;

/// <summary>
/// The caller's context for an enqueue made through <c>EnqueueInTransactionAsync</c>: it flows with the call into the
/// backend (an async local, like an ambient transaction), which then writes the job on that context's connection and
/// transaction and marks the enlistment used.
/// </summary>
internal sealed class TransactionalEnqueue(DbContext context)
{
    private static readonly AsyncLocal<TransactionalEnqueue?> CurrentSlot = new();

    public static TransactionalEnqueue? Current
    {
        get => CurrentSlot.Value;
        set => CurrentSlot.Value = value;
    }

    public DbContext Context { get; } = context;

    public bool Used { get; set; }
}
