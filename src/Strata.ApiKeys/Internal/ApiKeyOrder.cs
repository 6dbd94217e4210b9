namespace Strata.ApiKeys.Internal;

/// <summary>The list order of the in-process stores (creation instant, then id, ordinal), and one page of it.</summary>
internal static class ApiKeyOrder
{
    public static List<StoredApiKey> Page(IEnumerable<StoredApiKey> keys, ApiKeyStoreQuery query)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(query.Limit, 1);
        var afterTicks = query.AfterCreatedAt?.UtcTicks;
        var afterId = query.AfterId ?? string.Empty;
        return keys
            .Where(k => query.Owner is null || string.Equals(k.Record.Owner, query.Owner, StringComparison.Ordinal))
            .Where(k => afterTicks is null
                || k.Record.CreatedAt.UtcTicks > afterTicks
                || (k.Record.CreatedAt.UtcTicks == afterTicks && string.CompareOrdinal(k.Record.Id, afterId) > 0))
            .OrderBy(k => k.Record.CreatedAt.UtcTicks)
            .ThenBy(k => k.Record.Id, StringComparer.Ordinal)
            .Take(query.Limit)
            .ToList();
    }
}
