namespace Strata.ApiKeys;

/// <summary>Set on <c>HttpContext.Features</c> when a request was authenticated by an API key.</summary>
public interface IApiKeyFeature
{
    /// <summary>The validated key's record (never the secret or its hash).</summary>
    ApiKeyRecord Record { get; }

    /// <summary>The authentication scheme that validated it.</summary>
    string Scheme { get; }
}
