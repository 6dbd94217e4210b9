namespace Strata.ApiKeys.Internal;

internal static class FailureMessages
{
    public const string Missing = "An API key is required.";

    /// <summary>
    /// The 401 detail for a request without a key: where this scheme reads keys from, from its options (header
    /// names, the Authorization header, the query parameter), so a client sees at once which header it should send.
    /// </summary>
    public static string MissingFor(ApiKeyAuthenticationOptions options)
    {
        var places = new List<string>();
        var headers = options.HeaderNames.Where(h => !string.IsNullOrWhiteSpace(h)).ToList();
        if (headers.Count > 0)
        {
            places.Add($"the {JoinOr(headers)} header");
        }

        if (options.AllowAuthorizationHeader)
        {
            places.Add($"the Authorization header as '{ApiKeyDefaults.AuthorizationScheme} <key>'");
        }

        if (options.AllowBearerToken)
        {
            places.Add("the Authorization header as 'Bearer <key>'");
        }

        if (options.QueryParameterName is { Length: > 0 } query)
        {
            places.Add($"the '{query}' query parameter");
        }

        return places.Count == 0 ? Missing : $"{Missing} Send your API key in {JoinOr(places)}.";
    }

    private static string JoinOr(IReadOnlyList<string> items)
        => items.Count == 1 ? items[0] : string.Join(", ", items.Take(items.Count - 1)) + " or " + items[^1];

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
