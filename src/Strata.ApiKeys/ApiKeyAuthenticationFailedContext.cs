using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace Strata.ApiKeys;

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
