using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;

namespace Strata.ApiKeys;

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
