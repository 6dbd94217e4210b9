namespace Strata.ApiKeys.Internal;

internal static class FailureMessages
{
    public const string Missing = "An API key is required.";

    public static string For(ApiKeyFailureReason reason) => reason switch
    {
        ApiKeyFailureReason.Malformed => "The API key is malformed.",
        ApiKeyFailureReason.Unknown => "The API key is not valid.",
        ApiKeyFailureReason.Expired => "The API key has expired.",
        ApiKeyFailureReason.Revoked => "The API key has been revoked.",
        ApiKeyFailureReason.Disabled => "The API key is disabled.",
        ApiKeyFailureReason.AddressNotAllowed => "The API key may not be used from this address.",
        ApiKeyFailureReason.Throttled => "Too many failed API-key attempts from this address.",
        ApiKeyFailureReason.StoreUnavailable => "The API key could not be checked right now.",
        _ => "The API key was not accepted.",
    };

    public static string Tag(ApiKeyFailureReason reason) => reason switch
    {
        ApiKeyFailureReason.Malformed => "malformed",
        ApiKeyFailureReason.Unknown => "unknown",
        ApiKeyFailureReason.Expired => "expired",
        ApiKeyFailureReason.Revoked => "revoked",
        ApiKeyFailureReason.Disabled => "disabled",
        ApiKeyFailureReason.AddressNotAllowed => "address_not_allowed",
        ApiKeyFailureReason.Throttled => "throttled",
        ApiKeyFailureReason.StoreUnavailable => "store_unavailable",
        _ => "other",
    };
}
