using Microsoft.Extensions.Logging;

namespace Strata.ApiKeys.Internal;

/// <summary>
/// Every <see cref="LoggerMessageAttribute"/> method of Strata.ApiKeys, in one class on purpose.
/// </summary>
/// <remarks>
/// The logging source generator writes all log classes of an assembly into one generated file,
/// and with several classes it emits them in an order that varies from build to build. That file
/// is embedded in the PDB, so two builds of one commit gave different PDBs and, through the PDB id,
/// different assemblies. One log class per assembly keeps the output deterministic: add new
/// messages here, not in a nested <c>Log</c> class. Event ids, names, levels and templates are
/// those the messages had before the move; the category comes from the logger each caller passes.
/// </remarks>
internal static partial class ApiKeysLog
{
    // ApiKeyAuthenticationHandler

    [LoggerMessage(1, LogLevel.Debug, "API key {KeyId} validated.", EventName = "KeyValidated")]
    public static partial void Validated(ILogger logger, string keyId);

    [LoggerMessage(2, LogLevel.Information, "Malformed API key rejected before any lookup (expected prefix {Prefix}).", EventName = "KeyMalformed")]
    public static partial void Malformed(ILogger logger, string prefix);

    [LoggerMessage(3, LogLevel.Information, "Unknown API key with prefix {Prefix} rejected.", EventName = "KeyUnknown")]
    public static partial void Unknown(ILogger logger, string prefix);

    [LoggerMessage(4, LogLevel.Information, "API key {KeyId} rejected: {Reason}.", EventName = "KeyRejected")]
    public static partial void Rejected(ILogger logger, string keyId, string reason);

    [LoggerMessage(7, LogLevel.Warning, "Client {ClientAddress} blocked after repeated failed API-key attempts.", EventName = "ClientBlocked")]
    public static partial void Blocked(ILogger logger, string clientAddress);

    [LoggerMessage(8, LogLevel.Debug, "API-key attempt from blocked client {ClientAddress} refused with 429.", EventName = "ClientThrottled")]
    public static partial void Throttled(ILogger logger, string clientAddress);

    [LoggerMessage(9, LogLevel.Error, "The API-key store failed during a lookup.", EventName = "StoreLookupFailed")]
    public static partial void StoreFailed(ILogger logger, Exception exception);

    // ApiKeyManager

    [LoggerMessage(20, LogLevel.Information, "API key {KeyId} created for owner {Owner}.", EventName = "KeyCreated")]
    public static partial void Created(ILogger logger, string keyId, string owner);

    [LoggerMessage(21, LogLevel.Information, "API key {KeyId} revoked.", EventName = "KeyRevoked")]
    public static partial void Revoked(ILogger logger, string keyId);

    [LoggerMessage(22, LogLevel.Information, "API key {KeyId} disabled.", EventName = "KeyDisabled")]
    public static partial void Disabled(ILogger logger, string keyId);

    [LoggerMessage(23, LogLevel.Information, "API key {KeyId} enabled.", EventName = "KeyEnabled")]
    public static partial void Enabled(ILogger logger, string keyId);

    [LoggerMessage(24, LogLevel.Information, "API key {KeyId} expiry set to {ExpiresAt}.", EventName = "KeyExpirySet")]
    public static partial void ExpirySet(ILogger logger, string keyId, DateTimeOffset? expiresAt);

    [LoggerMessage(25, LogLevel.Information, "API key {KeyId} rotated to {NewKeyId}; the old key works until {ExpiresAt}.", EventName = "KeyRotated")]
    public static partial void Rotated(ILogger logger, string keyId, string newKeyId, DateTimeOffset expiresAt);

    [LoggerMessage(26, LogLevel.Information, "API key {KeyId} was changed by another writer during attempt {Attempt}; reading it again.", EventName = "KeyConcurrentChange")]
    public static partial void ConcurrentChange(ILogger logger, string keyId, int attempt);

    [LoggerMessage(27, LogLevel.Information, "API key {KeyId} updated.", EventName = "KeyUpdated")]
    public static partial void Updated(ILogger logger, string keyId);

    [LoggerMessage(28, LogLevel.Information, "API key {KeyId} deleted.", EventName = "KeyDeleted")]
    public static partial void Deleted(ILogger logger, string keyId);

    // Start-up

    [LoggerMessage(52, LogLevel.Information, "API keys: store {Store}; lookups cached {Cache} for {CacheDuration}.", EventName = "StoreInUse")]
    public static partial void StoreInUse(ILogger logger, string store, string cache, TimeSpan cacheDuration);

    // ConfigurationApiKeyStore

    [LoggerMessage(40, LogLevel.Information, "API-key configuration reloaded: {Count} keys.", EventName = "ConfigurationReloaded")]
    public static partial void Reloaded(ILogger logger, int count);

    [LoggerMessage(41, LogLevel.Error, "API-key configuration reload rejected; the previous keys stay in force. {Problem}", EventName = "ConfigurationReloadFailed")]
    public static partial void ReloadFailed(ILogger logger, string problem);

    [LoggerMessage(42, LogLevel.Warning, "Dropping cached API-key lookups after a configuration reload failed; changes are seen within CacheDuration.", EventName = "ConfigurationReloadInvalidationFailed")]
    public static partial void InvalidationFailed(ILogger logger, Exception exception);

    // LastUsedTracker

    [LoggerMessage(30, LogLevel.Warning, "Writing last-used times of {Count} API keys failed; will retry on the next flush.", EventName = "LastUsedFlushFailed")]
    public static partial void FlushFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(31, LogLevel.Warning, "The shutdown timeout ran out before the last-used times of {Count} API keys were written; they are lost.", EventName = "LastUsedShutdownFlushCancelled")]
    public static partial void ShutdownFlushCancelled(ILogger logger, int count);

    // DistributedCacheHealth

    [LoggerMessage(50, LogLevel.Warning, "HybridCache's distributed cache ({Cache}) is out of reach ({Failure}; probe timeout {ProbeTimeout}): API-key lookups use memory and the key store without it until a probe finds it back.", EventName = "DistributedCacheDown")]
    public static partial void DistributedCacheDown(ILogger logger, string cache, string failure, TimeSpan probeTimeout);

    [LoggerMessage(51, LogLevel.Information, "HybridCache's distributed cache ({Cache}) answers again after {Duration}: API-key lookups use it again.", EventName = "DistributedCacheBack")]
    public static partial void DistributedCacheBack(ILogger logger, string cache, TimeSpan duration);
}
