namespace Strata.ApiKeys.EntityFrameworkCore;

/// <summary>The table row of one API key. Lists are space-separated (scopes and networks hold no spaces); metadata is JSON.</summary>
internal sealed class ApiKeyEntity
{
    public const int IdLength = 64;
    public const int HashLength = 64;
    public const int OwnerLength = 256;
    public const int NameLength = 256;

    public string Id { get; set; } = string.Empty;

    public string Hash { get; set; } = string.Empty;

    public string Owner { get; set; } = string.Empty;

    public string? Name { get; set; }

    public string Prefix { get; set; } = string.Empty;

    public string Scopes { get; set; } = string.Empty;

    public string Metadata { get; set; } = "{}";

    public string AllowedNetworks { get; set; } = string.Empty;

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>
    /// <see cref="CreatedAt"/> as UTC ticks: the list order (with <see cref="Id"/>). A number, because some providers
    /// (SQLite) can neither compare nor order <see cref="DateTimeOffset"/> in SQL. 0 in rows written before the column
    /// existed, until the store fills it in.
    /// </summary>
    public long CreatedAtUtcTicks { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public bool IsDisabled { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }

    public string? ReplacedById { get; set; }

    /// <summary>The concurrency token: 1 on create, one more on every admin update (last-used writes leave it).</summary>
    public long Version { get; set; }
}
