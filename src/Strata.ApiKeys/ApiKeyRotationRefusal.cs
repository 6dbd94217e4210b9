namespace Strata.ApiKeys;

/// <summary>Why <see cref="IApiKeyManager.RotateAsync"/> refused to rotate a key.</summary>
public enum ApiKeyRotationRefusal
{
    /// <summary>The key is revoked: revocation is final, and a revoked key gets no successor.</summary>
    Revoked,

    /// <summary>The key has expired: a successor would bring back access that has ended. Create a new key, or extend the expiry first.</summary>
    Expired,

    /// <summary>The key was already rotated: rotate its successor instead (a key has at most one successor).</summary>
    AlreadyRotated,
}
