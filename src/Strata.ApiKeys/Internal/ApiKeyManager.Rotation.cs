namespace Strata.ApiKeys.Internal;

/// <summary>Rotation: a new secret for the same grant, the old key retired after an overlap.</summary>
internal sealed partial class ApiKeyManager
{
    public async Task<CreatedApiKey?> RotateAsync(string id, TimeSpan overlap, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentOutOfRangeException.ThrowIfLessThan(overlap, TimeSpan.Zero);
        var gate = LockFor(id);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await RotateLockedAsync(id, overlap, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<CreatedApiKey?> RotateLockedAsync(string id, TimeSpan overlap, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var existing = await _store.FindByIdAsync(id, cancellationToken).ConfigureAwait(false);
            if (existing is null)
            {
                return null;
            }

            var old = existing.Record;
            var now = _time.GetUtcNow();
            ThrowIfNotRotatable(old, now);

            // Rotation replaces the secret and nothing else: the successor has the same owner, scopes, allow-list and
            // expiry, and a disabled key's successor starts disabled (enable it when the holder may have access again).
            var replacement = old with
            {
                Id = NewId(),
                CreatedAt = now,
                LastUsedAt = null,
                ReplacedById = null,
                Prefix = string.IsNullOrEmpty(old.Prefix) ? _prefixes.Default : old.Prefix,
            };
            var created = await StoreNewKeyAsync(replacement, cancellationToken).ConfigureAwait(false);

            var endOfOverlap = now + overlap;
            var retired = old with
            {
                ReplacedById = replacement.Id,
                ExpiresAt = old.ExpiresAt is { } expiry && expiry < endOfOverlap ? expiry : endOfOverlap,
            };
            try
            {
                // Only if nobody changed the old key since it was read: two nodes rotating one key at once must not
                // both hand out a working successor.
                await _store.UpdateAsync(retired, existing.Version, cancellationToken).ConfigureAwait(false);
            }
            catch (ApiKeyConcurrencyException) when (attempt < MaxAttempts)
            {
                // The successor was never handed out: revoke it (nobody knows its secret), then look again; the
                // other writer may have rotated or revoked the key, which the next pass reports.
                await _store.UpdateAsync(replacement with { RevokedAt = now }, expectedVersion: null, CancellationToken.None).ConfigureAwait(false);
                ApiKeysLog.ConcurrentChange(_logger, id, attempt);
                continue;
            }
            catch (ApiKeyConcurrencyException)
            {
                await _store.UpdateAsync(replacement with { RevokedAt = now }, expectedVersion: null, CancellationToken.None).ConfigureAwait(false);
                throw;
            }

            await _lookup.InvalidateAsync(existing.Hash, cancellationToken).ConfigureAwait(false);
            ApiKeysLog.Rotated(_logger, id, replacement.Id, retired.ExpiresAt!.Value);
            return created;
        }
    }

    private static void ThrowIfNotRotatable(ApiKeyRecord key, DateTimeOffset now)
    {
        if (key.RevokedAt is not null)
        {
            throw new ApiKeyRotationException(key.Id, ApiKeyRotationRefusal.Revoked, $"API key '{key.Id}' is revoked and cannot be rotated: revocation is final. Create a new key instead.");
        }

        if (key.ReplacedById is { } successor)
        {
            // A second rotation would branch the key into two live successors and could give a rotated-out key
            // (even one whose overlap ended) a fresh working replacement.
            throw new ApiKeyRotationException(
                key.Id,
                ApiKeyRotationRefusal.AlreadyRotated,
                $"API key '{key.Id}' was already rotated to '{successor}': rotate that key instead, or set this key's expiry to end the overlap sooner.",
                successor);
        }

        if (key.ExpiresAt is { } expiry && expiry <= now)
        {
            throw new ApiKeyRotationException(
                key.Id,
                ApiKeyRotationRefusal.Expired,
                $"API key '{key.Id}' expired at {expiry:O} and cannot be rotated: a successor would bring back access that has ended. Create a new key, or extend this key's expiry first.");
        }
    }
}
