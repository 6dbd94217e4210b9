using System.Security.Claims;

namespace Strata.ApiKeys.Internal;

/// <summary>
/// The identity of a validated key, whose claims (key id, owner, name identifier, name, one per scope) are created on
/// the first member that reads or changes claims, not when the request is authenticated. A request whose pipeline only
/// asks whether the caller is authenticated (<c>RequireAuthorization()</c>, <c>DenyAnonymousAuthorizationRequirement</c>)
/// never creates them; one that reads a claim (a scope check, a rate limiter partitioning by key, <c>User.Identity.Name</c>)
/// gets the same claims, in the same order, as an identity built eagerly.
/// </summary>
/// <remarks>
/// <para>
/// One instance per request, never shared: claims transformation and the validated event may add claims or identities,
/// and each request's additions stay in its own identity. Every claim is created with this identity as its subject.
/// </para>
/// <para>
/// Every virtual member of <see cref="ClaimsIdentity"/> that reads or writes the claim list creates the claims first.
/// Two members of the base class read its private list without a virtual call: the protected copy constructor (reached
/// through <see cref="Clone"/>, overridden here to create the claims first) and the public
/// <c>ClaimsIdentity(IIdentity, IEnumerable&lt;Claim&gt;, string, ...)</c> constructor, which reads the virtual
/// <see cref="AuthenticationType"/> first when no authentication type is passed (overridden here to create the claims);
/// only a copy made through that constructor with an explicit authentication type, before any claim was read, would
/// miss them. Tests pin both copies (ApiKeyIdentityTests).
/// </para>
/// </remarks>
internal sealed class ApiKeyIdentity : ClaimsIdentity
{
    private const int Lazy = 0;
    private const int Creating = 1;
    private const int Created = 2;

    private readonly string _issuer;
    private ApiKeyRecord? _record;
    private int _state;

    public ApiKeyIdentity(ApiKeyRecord record, string scheme, string issuer)
        : base(scheme, ClaimTypes.Name, ClaimTypes.Role)
    {
        _record = record;
        _issuer = issuer;
    }

    /// <summary>True once the claims exist (tests and benchmarks only).</summary>
    internal bool ClaimsCreated => Volatile.Read(ref _state) == Created;

    /// <inheritdoc/>
    public override string? AuthenticationType
    {
        get
        {
            EnsureClaims();
            return base.AuthenticationType;
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<Claim> Claims
    {
        get
        {
            EnsureClaims();
            return base.Claims;
        }
    }

    /// <inheritdoc/>
    public override void AddClaim(Claim claim)
    {
        EnsureClaims();
        base.AddClaim(claim);
    }

    /// <inheritdoc/>
    public override void AddClaims(IEnumerable<Claim?> claims)
    {
        EnsureClaims();
        base.AddClaims(claims);
    }

    /// <inheritdoc/>
    public override bool TryRemoveClaim(Claim? claim)
    {
        EnsureClaims();
        return base.TryRemoveClaim(claim);
    }

    /// <inheritdoc/>
    public override void RemoveClaim(Claim? claim)
    {
        EnsureClaims();
        base.RemoveClaim(claim);
    }

    /// <inheritdoc/>
    public override IEnumerable<Claim> FindAll(Predicate<Claim> match)
    {
        EnsureClaims();
        return base.FindAll(match);
    }

    /// <inheritdoc/>
    public override IEnumerable<Claim> FindAll(string type)
    {
        EnsureClaims();
        return base.FindAll(type);
    }

    /// <inheritdoc/>
    public override Claim? FindFirst(Predicate<Claim> match)
    {
        EnsureClaims();
        return base.FindFirst(match);
    }

    /// <inheritdoc/>
    public override Claim? FindFirst(string type)
    {
        EnsureClaims();
        return base.FindFirst(type);
    }

    /// <inheritdoc/>
    public override bool HasClaim(Predicate<Claim> match)
    {
        EnsureClaims();
        return base.HasClaim(match);
    }

    /// <inheritdoc/>
    public override bool HasClaim(string type, string value)
    {
        EnsureClaims();
        return base.HasClaim(type, value);
    }

    /// <summary>A plain <see cref="ClaimsIdentity"/> with copies of all claims (created first if they were not yet).</summary>
    /// <returns>The copy.</returns>
    public override ClaimsIdentity Clone()
    {
        EnsureClaims();
        return base.Clone();
    }

    /// <inheritdoc/>
    public override void WriteTo(BinaryWriter writer)
    {
        EnsureClaims();
        base.WriteTo(writer);
    }

    /// <inheritdoc/>
    protected override void WriteTo(BinaryWriter writer, byte[]? userData)
    {
        EnsureClaims();
        base.WriteTo(writer, userData);
    }

    private void EnsureClaims()
    {
        if (Volatile.Read(ref _state) != Created)
        {
            CreateClaims();
        }
    }

    /// <summary>
    /// Adds the claims once. A request's identity is used by one thread at a time in practice; should two threads read
    /// it at once, the second waits for the first to finish rather than see a partial list or add the claims twice.
    /// </summary>
    private void CreateClaims()
    {
        if (Interlocked.CompareExchange(ref _state, Creating, Lazy) != Lazy)
        {
            var wait = default(SpinWait);
            while (Volatile.Read(ref _state) != Created)
            {
                wait.SpinOnce();
            }

            return;
        }

        try
        {
            var record = _record!;
            var issuer = _issuer;
            base.AddClaim(new Claim(ApiKeyClaimTypes.KeyId, record.Id, ClaimValueTypes.String, issuer, issuer, this));
            base.AddClaim(new Claim(ApiKeyClaimTypes.Owner, record.Owner, ClaimValueTypes.String, issuer, issuer, this));
            base.AddClaim(new Claim(ClaimTypes.NameIdentifier, record.Id, ClaimValueTypes.String, issuer, issuer, this));
            base.AddClaim(new Claim(ClaimTypes.Name, record.Owner, ClaimValueTypes.String, issuer, issuer, this));
            foreach (var scope in record.Scopes)
            {
                base.AddClaim(new Claim(ApiKeyClaimTypes.Scope, scope, ClaimValueTypes.String, issuer, issuer, this));
            }
        }
        finally
        {
            _record = null;
            Volatile.Write(ref _state, Created);
        }
    }
}
