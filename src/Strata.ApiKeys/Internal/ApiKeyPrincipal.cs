using System.Security.Claims;

namespace Strata.ApiKeys.Internal;

/// <summary>
/// The principal of a validated key: a <see cref="ClaimsPrincipal"/> with one <see cref="ApiKeyIdentity"/>, equal only
/// to itself, whose hash code is a number taken at construction rather than the runtime's identity hash.
/// </summary>
/// <remarks>
/// ASP.NET Core's authentication service puts every principal a scheme returns into a set (the principals it has
/// already transformed), which asks each new principal for its hash code. For an object that never had one, the
/// runtime's identity hash takes a slow path (it writes the hash into the object header), which a profile of the
/// keep-alive path measured at about a tenth of the scheme's own cost. Reference equality is kept: two principals are
/// equal only when they are the same object, so any hash code stable for the object's life is correct; a per-thread
/// counter gives one without shared writes.
/// </remarks>
internal sealed class ApiKeyPrincipal : ClaimsPrincipal
{
    [ThreadStatic]
    private static int _next;

    private readonly int _hash;

    public ApiKeyPrincipal(ApiKeyIdentity identity)
        : base(identity)
    {
        _hash = ++_next;
    }

    /// <summary>Reference equality, as <see cref="object.Equals(object?)"/>.</summary>
    /// <param name="obj">The other object.</param>
    /// <returns><see langword="true"/> only for this same principal.</returns>
    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    /// <summary>A number taken when the principal was created: stable for its life, consistent with reference equality.</summary>
    /// <returns>The hash code.</returns>
    public override int GetHashCode() => _hash;
}
