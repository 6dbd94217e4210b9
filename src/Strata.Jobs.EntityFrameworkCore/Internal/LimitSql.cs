namespace Strata.Jobs.EntityFrameworkCore.Internal;

/// <summary>
/// The statements of the fleet-wide limits. Each decision runs in one transaction that first serializes the deciders
/// of its scope or key: on PostgreSQL a transaction-level advisory lock on the scope's hash (other scopes go on in
/// parallel); on SQLite the write lock that <c>BEGIN IMMEDIATE</c> takes (one writer at a time). Under that lock,
/// count-then-insert cannot over-admit.
/// </summary>
internal sealed class LimitSql
{
    // Advisory lock classes (the first key of pg_advisory_xact_lock(int, int)): slots and permits never wait on each other.
    private const int SlotLockClass = 0x53534C54;   // "SSLT"
    private const int PermitLockClass = 0x5350524D; // "SPRM"

    public LimitSql(MappedTable slots, MappedTable permits, bool isPostgreSql)
    {
        string scope = slots["Scope"], holder = slots["Holder"], until = slots["LeaseUntil"], s = slots.Name;
        LockSlots = isPostgreSql ? $"SELECT pg_advisory_xact_lock({SlotLockClass}, hashtext(@scope))" : null;
        DropExpiredSlots = $"DELETE FROM {s} WHERE {scope} = @scope AND {until} <= @now";
        RenewSlot = $"UPDATE {s} SET {until} = @until WHERE {scope} = @scope AND {holder} = @holder";
        TakeSlot = $"INSERT INTO {s} ({scope}, {holder}, {until}) SELECT @scope, @holder, @until WHERE (SELECT COUNT(*) FROM {s} WHERE {scope} = @scope) < @limit";
        ReleaseSlot = $"DELETE FROM {s} WHERE {scope} = @scope AND {holder} = @holder";

        string key = permits["Key"], takenAt = permits["TakenAt"], p = permits.Name;
        LockPermits = isPostgreSql ? $"SELECT pg_advisory_xact_lock({PermitLockClass}, hashtext(@key))" : null;
        DropOldPermits = $"DELETE FROM {p} WHERE {key} = @key AND {takenAt} <= @since";
        CountPermits = $"SELECT COUNT(*), MIN({takenAt}) FROM {p} WHERE {key} = @key";
        TakePermit = $"INSERT INTO {p} ({key}, {takenAt}) VALUES (@key, @now)";
    }

    /// <summary>Serializes the deciders of <c>@scope</c> until the transaction ends; null where the transaction itself does (SQLite).</summary>
    public string? LockSlots { get; }

    public string DropExpiredSlots { get; }

    /// <summary>Extends the holder's lease (one row affected: it held a slot).</summary>
    public string RenewSlot { get; }

    /// <summary>Takes a slot while fewer than <c>@limit</c> are held (one row affected: taken).</summary>
    public string TakeSlot { get; }

    public string ReleaseSlot { get; }

    /// <summary>Serializes the takers of <c>@key</c> until the transaction ends; null where the transaction itself does (SQLite).</summary>
    public string? LockPermits { get; }

    public string DropOldPermits { get; }

    /// <summary>How many permits the window holds, and when the oldest was taken.</summary>
    public string CountPermits { get; }

    public string TakePermit { get; }
}
