namespace Strata.ApiKeys.Internal;

/// <summary>The rules for the values of a key, shared by <see cref="IApiKeyManager.CreateAsync"/> and <see cref="IApiKeyManager.UpdateAsync"/>.</summary>
internal static class ApiKeyValidation
{
    public const int MaxOwnerLength = 256;
    public const int MaxNameLength = 256;
    public const int MaxScopeLength = 128;
    public const int MaxMetadataEntries = 64;
    public const int MaxMetadataKeyLength = 128;
    public const int MaxMetadataValueLength = 1024;

    public static void Owner(string? owner, string parameter)
    {
        if (string.IsNullOrWhiteSpace(owner) || owner.Length > MaxOwnerLength)
        {
            throw new ArgumentException($"Owner is required and at most {MaxOwnerLength} characters.", parameter);
        }
    }

    public static void Name(string? name, string parameter)
    {
        if (name is { Length: > MaxNameLength })
        {
            throw new ArgumentException($"Name is at most {MaxNameLength} characters.", parameter);
        }
    }

    public static void Scopes(IReadOnlyList<string> scopes, string parameter)
    {
        foreach (var scope in scopes)
        {
            if (string.IsNullOrEmpty(scope) || scope.Length > MaxScopeLength || scope.Any(char.IsWhiteSpace) || scope.Any(char.IsControl))
            {
                throw new ArgumentException($"Scope '{scope}' is not valid: a scope is 1 to {MaxScopeLength} characters without whitespace or control characters.", parameter);
            }
        }
    }

    public static void Networks(IReadOnlyList<string> networks, string parameter)
    {
        foreach (var network in networks)
        {
            if (network is null || !AddressAllowList.IsValidEntry(network))
            {
                throw new ArgumentException($"AllowedNetworks entry '{network}' is not an IP address or CIDR network (for example 10.0.0.0/8).", parameter);
            }
        }
    }

    public static void Metadata(IReadOnlyDictionary<string, string>? metadata, string parameter)
    {
        if (metadata is null)
        {
            return;
        }

        if (metadata.Count > MaxMetadataEntries)
        {
            throw new ArgumentException($"Metadata has {metadata.Count} entries; at most {MaxMetadataEntries} are allowed.", parameter);
        }

        foreach (var (name, value) in metadata)
        {
            if (string.IsNullOrEmpty(name) || name.Length > MaxMetadataKeyLength || name.Any(char.IsControl))
            {
                throw new ArgumentException($"Metadata key '{name}' is not valid: a key is 1 to {MaxMetadataKeyLength} characters without control characters.", parameter);
            }

            if (value is null || value.Length > MaxMetadataValueLength)
            {
                throw new ArgumentException($"Metadata value of '{name}' is not valid: a value is a string of at most {MaxMetadataValueLength} characters.", parameter);
            }
        }
    }
}
