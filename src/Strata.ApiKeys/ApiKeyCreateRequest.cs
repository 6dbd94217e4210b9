namespace Strata.ApiKeys;

/// <summary>What to create a key with.</summary>
public sealed class ApiKeyCreateRequest
{
    /// <summary>Who the key belongs to. Required.</summary>
    public required string Owner { get; init; }

    /// <summary>A human-readable name. <value>Default <see langword="null"/>.</value></summary>
    public string? Name { get; init; }

    /// <summary>The key prefix. <value>Default <see langword="null"/>: the <see cref="ApiKeyAuthenticationOptions.Prefix"/> of the <see cref="ApiKeyDefaults.AuthenticationScheme"/> scheme.</value></summary>
    public string? Prefix { get; init; }

    /// <summary>Scopes granted; no whitespace inside a scope. <value>Default empty.</value></summary>
    public IReadOnlyList<string> Scopes { get; init; } = [];

    /// <summary>Free-form metadata. <value>Default empty.</value></summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>Client addresses or CIDR networks (for example <c>10.0.0.0/8</c>) the key may be used from. <value>Default empty: any address.</value></summary>
    public IReadOnlyList<string> AllowedNetworks { get; init; } = [];

    /// <summary>When the key stops working. <value>Default <see langword="null"/>: never.</value></summary>
    public DateTimeOffset? ExpiresAt { get; init; }
}
