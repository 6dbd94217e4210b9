namespace Strata.ApiKeys;

/// <summary>Why an API key was not accepted. Each reason has a fixed, secret-free message.</summary>
public enum ApiKeyFailureReason
{
    /// <summary>The key is not in the expected format (length, characters, prefix or checksum), or it was sent more than once.</summary>
    Malformed = 1,

    /// <summary>No key with this hash exists.</summary>
    Unknown = 2,

    /// <summary>The key has expired.</summary>
    Expired = 3,

    /// <summary>The key has been revoked.</summary>
    Revoked = 4,

    /// <summary>The key is disabled.</summary>
    Disabled = 5,

    /// <summary>The client address is outside the key's allow-list.</summary>
    AddressNotAllowed = 6,

    /// <summary>Too many failed attempts came from the client address; the store was not asked.</summary>
    Throttled = 7,

    /// <summary>The key store failed; the key could not be checked.</summary>
    StoreUnavailable = 8,
}
