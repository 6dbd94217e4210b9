namespace Strata.ApiKeys.Internal;

/// <summary>
/// The fields an update must never move back. The key manager reads, changes and writes a whole record; a concurrent
/// change (another admin call, another node, the last-used flush) read before this one must not undo a revocation
/// or move the last-used time backwards.
/// </summary>
internal static class ApiKeyRecordMerge
{
    public static ApiKeyRecord KeepMonotonicFields(ApiKeyRecord existing, ApiKeyRecord update)
    {
        var revokedAt = existing.RevokedAt ?? update.RevokedAt;
        var lastUsedAt = Later(existing.LastUsedAt, update.LastUsedAt);
        return revokedAt == update.RevokedAt && lastUsedAt == update.LastUsedAt
            ? update
            : update with { RevokedAt = revokedAt, LastUsedAt = lastUsedAt };
    }

    private static DateTimeOffset? Later(DateTimeOffset? a, DateTimeOffset? b)
        => a is null ? b : b is null ? a : a > b ? a : b;
}
