namespace Strata.ApiKeys;

/// <summary>
/// <see cref="IApiKeyManager.RotateAsync"/> refused to rotate a key in its current state (revoked, expired, or already
/// rotated). Nothing was created or changed. A disabled key can be rotated: its successor starts disabled too.
/// </summary>
public sealed class ApiKeyRotationException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="keyId">The key id.</param>
    /// <param name="reason">Why the key cannot be rotated.</param>
    /// <param name="message">The message, which names the key and the reason.</param>
    /// <param name="successorId">For <see cref="ApiKeyRotationRefusal.AlreadyRotated"/>, the successor's id.</param>
    public ApiKeyRotationException(string keyId, ApiKeyRotationRefusal reason, string message, string? successorId = null)
        : base(message)
    {
        KeyId = keyId;
        Reason = reason;
        SuccessorId = successorId;
    }

    /// <summary>The id of the key that was not rotated.</summary>
    public string KeyId { get; }

    /// <summary>Why it was not rotated.</summary>
    public ApiKeyRotationRefusal Reason { get; }

    /// <summary>The id of the key's successor, when it was already rotated; else <see langword="null"/>.</summary>
    public string? SuccessorId { get; }
}
