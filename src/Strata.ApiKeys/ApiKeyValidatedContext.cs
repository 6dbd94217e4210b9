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
