namespace Strata.ApiKeys;

/// <summary>
/// What to change on an existing key with <see cref="IApiKeyManager.UpdateAsync"/>. A property left
/// <see langword="null"/> keeps the stored value; a property that is set replaces the stored value as a whole (a list
/// or a dictionary is not merged). The key's secret, hash, id, owner and prefix never change.
/// </summary>
public sealed class ApiKeyUpdate
{
    /// <summary>The new name; an empty string clears it. <value>Default <see langword="null"/>: unchanged.</value></summary>
    public string? Name { get; init; }

    /// <summary>The new scopes, replacing all current ones; empty grants none. Same rules as <see cref="ApiKeyCreateRequest.Scopes"/>. <value>Default <see langword="null"/>: unchanged.</value></summary>
    public IReadOnlyList<string>? Scopes { get; init; }

    /// <summary>The new metadata (for example the customer's plan), replacing all current entries; empty clears it. Same limits as <see cref="ApiKeyCreateRequest.Metadata"/>. <value>Default <see langword="null"/>: unchanged.</value></summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>The new allow-list of client addresses or CIDR networks, replacing the current one; empty allows any address. <value>Default <see langword="null"/>: unchanged.</value></summary>
    public IReadOnlyList<string>? AllowedNetworks { get; init; }
}
