using System.Collections.ObjectModel;

namespace Strata.ApiKeys;

/// <summary>What is known about an API key, without its secret or hash. Safe to show and log (except <see cref="Metadata"/> if you put secrets there).</summary>
public sealed record ApiKeyRecord
{
    private static readonly IReadOnlyDictionary<string, string> EmptyMetadata = new ReadOnlyDictionary<string, string>(new Dictionary<string, string>());

    /// <summary>The key id: stable, public, used in logs and in the <see cref="ApiKeyClaimTypes.KeyId"/> claim.</summary>
    public required string Id { get; init; }

    /// <summary>Who the key belongs to (a user, a team, a service).</summary>
    public required string Owner { get; init; }

    /// <summary>A human-readable name, or <see langword="null"/>.</summary>
    public string? Name { get; init; }

    /// <summary>The key's public prefix, for example <c>sk_live</c>.</summary>
    public string Prefix { get; init; } = string.Empty;

    /// <summary>The scopes granted to the key. <value>Empty by default.</value></summary>
    public IReadOnlyList<string> Scopes { get; init; } = [];

    /// <summary>Free-form metadata. <value>Empty by default.</value></summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = EmptyMetadata;

    /// <summary>Client addresses or CIDR networks the key may be used from; empty means any. <value>Empty by default.</value></summary>
    public IReadOnlyList<string> AllowedNetworks { get; init; } = [];

    /// <summary>When the key was created.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the key stops working, or <see langword="null"/> for never.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>When the key was revoked, or <see langword="null"/>.</summary>
    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>Whether the key is disabled (reversible).</summary>
    public bool IsDisabled { get; init; }

    /// <summary>When the key was last used (coalesced; may lag by the flush interval), or <see langword="null"/>.</summary>
    public DateTimeOffset? LastUsedAt { get; init; }

    /// <summary>The id of the key that replaced this one through rotation, or <see langword="null"/>.</summary>
    public string? ReplacedById { get; init; }

    /// <summary>Tells whether the key works at <paramref name="now"/>: not revoked, not disabled, not expired.</summary>
    /// <param name="now">The current time.</param>
    /// <returns><see langword="true"/> when the key would be accepted (allow-list aside).</returns>
    public bool IsActiveAt(DateTimeOffset now) => RevokedAt is null && !IsDisabled && (ExpiresAt is null || now < ExpiresAt.Value);
}
