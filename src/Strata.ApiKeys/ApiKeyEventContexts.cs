using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace Strata.ApiKeys;

/// <summary>Context of <see cref="ApiKeyEvents.OnValidated"/>.</summary>
/// <param name="context">The request.</param>
/// <param name="scheme">The scheme.</param>
/// <param name="options">The scheme's options.</param>
/// <param name="record">The validated key's record.</param>
public sealed class ApiKeyValidatedContext(HttpContext context, AuthenticationScheme scheme, ApiKeyAuthenticationOptions options, ApiKeyRecord record)
    : ResultContext<ApiKeyAuthenticationOptions>(context, scheme, options)
{
    /// <summary>The validated key's record.</summary>
    public ApiKeyRecord Record { get; } = record;
}

/// <summary>Context of <see cref="ApiKeyEvents.OnAuthenticationFailed"/>.</summary>
/// <param name="context">The request.</param>
/// <param name="scheme">The scheme.</param>
/// <param name="options">The scheme's options.</param>
/// <param name="reason">Why the key was not accepted.</param>
/// <param name="keyId">The key id when the key was found (expired, revoked, disabled, address not allowed), else <see langword="null"/>.</param>
public sealed class ApiKeyAuthenticationFailedContext(HttpContext context, AuthenticationScheme scheme, ApiKeyAuthenticationOptions options, ApiKeyFailureReason reason, string? keyId)
    : ResultContext<ApiKeyAuthenticationOptions>(context, scheme, options)
{
    /// <summary>Why the key was not accepted.</summary>
    public ApiKeyFailureReason Reason { get; } = reason;

    /// <summary>The key id when the key was found, else <see langword="null"/>.</summary>
    public string? KeyId { get; } = keyId;
}

/// <summary>Context of <see cref="ApiKeyEvents.OnChallenge"/>.</summary>
/// <param name="context">The request.</param>
/// <param name="scheme">The scheme.</param>
/// <param name="options">The scheme's options.</param>
/// <param name="properties">The authentication properties.</param>
/// <param name="reason">Why authentication failed, or <see langword="null"/> when no key was sent.</param>
public sealed class ApiKeyChallengeContext(HttpContext context, AuthenticationScheme scheme, ApiKeyAuthenticationOptions options, AuthenticationProperties properties, ApiKeyFailureReason? reason)
    : PropertiesContext<ApiKeyAuthenticationOptions>(context, scheme, options, properties)
{
    /// <summary>Why authentication failed, or <see langword="null"/> when no key was sent.</summary>
    public ApiKeyFailureReason? Reason { get; } = reason;

    /// <summary>Whether the handler's own response is skipped.</summary>
    public bool Handled { get; private set; }

    /// <summary>Skips the handler's own response: the event wrote one.</summary>
    public void HandleResponse() => Handled = true;
}

/// <summary>Context of <see cref="ApiKeyEvents.OnForbidden"/>.</summary>
/// <param name="context">The request.</param>
/// <param name="scheme">The scheme.</param>
/// <param name="options">The scheme's options.</param>
/// <param name="properties">The authentication properties.</param>
public sealed class ApiKeyForbiddenContext(HttpContext context, AuthenticationScheme scheme, ApiKeyAuthenticationOptions options, AuthenticationProperties properties)
    : PropertiesContext<ApiKeyAuthenticationOptions>(context, scheme, options, properties)
{
    /// <summary>Whether the handler's own response is skipped.</summary>
    public bool Handled { get; private set; }

    /// <summary>Skips the handler's own response: the event wrote one.</summary>
    public void HandleResponse() => Handled = true;
}
