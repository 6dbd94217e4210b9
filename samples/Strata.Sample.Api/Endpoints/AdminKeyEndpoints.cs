using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Microsoft.AspNetCore.Mvc;
using Strata.ApiKeys;
using Strata.Sample.Api.Security;

namespace Strata.Sample.Api.Endpoints;

/// <summary>
/// Key management (scope <c>admin</c>) over Strata.ApiKeys' <see cref="IApiKeyManager"/>. A key's secret appears
/// once, in the answer that creates it (create, rotate); lists and records never carry secrets or hashes.
/// </summary>
internal static class AdminKeyEndpoints
{
    /// <summary>Strata.ApiKeys' longest name and owner.</summary>
    internal const int MaxNameLength = 256;

    /// <summary>The longest overlap of a rotation: 30 days, in minutes.</summary>
    internal const int MaxOverlapMinutes = 60 * 24 * 30;

    /// <summary>The overlap of a rotation without <c>overlapMinutes</c>.</summary>
    internal const int DefaultOverlapMinutes = 60;

    private static readonly string OverlapRule =
        $"overlapMinutes is a whole number of minutes from 0 to {MaxOverlapMinutes.ToString("N0", CultureInfo.InvariantCulture)} (30 days).";

    /// <summary>Maps the routes under <c>/admin/keys</c>; their scope (<c>admin</c>) is set where they are mapped, in <c>Program.cs</c>.</summary>
    public static RouteGroupBuilder MapAdminKeyEndpoints(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/admin/keys")
            .WithTags("Admin")   // 401, 403 and 429 (the admin limit): declared by the Strata OpenApi packages (Program.cs)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);    // the admin limit failing closed, Redis out

        keys.MapPost("/", CreateAsync)
            .WithName("CreateKey")
            .WithSummary("Create an API key (the secret is in this answer only)")
            .WithDescription("Name and scopes are required; owner, plan (a rate-limit tier) and expiry are optional. Keep the key: it is never shown again.")
            .Accepts<CreateKeyRequest>("application/json")
            .Produces<CreatedKey>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);

        keys.MapGet("/", ListAsync)
            .WithName("ListKeys")
            .WithSummary("Every key's record (no secrets)")
            .WithDescription("Ids, names, owners, scopes, plans and dates of every key; never a secret or a hash.")
            .Produces<IReadOnlyList<KeyRecord>>();

        keys.MapPost("/{id}/rotate", RotateAsync)
            .WithName("RotateKey")
            .WithSummary("Replace a key's secret; the old one keeps working for the overlap")
            .WithDescription("Answers the new key once. overlapMinutes (0 to 43,200, default 60) is how long the old secret still works.")
            .Produces<CreatedKey>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        keys.MapDelete("/{id}", RevokeAsync)
            .WithName("RevokeKey")
            .WithSummary("Revoke a key for good")
            .WithDescription("The key stops working at once (401 from then on).")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);

        return keys;
    }

    private static async Task<IResult> CreateAsync(CreateKeyRequest request, IApiKeyManager manager, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Name))
        {
            errors["name"] = ["A key needs a name."];
        }
        else if (request.Name.Length > MaxNameLength)
        {
            errors["name"] = [$"A key's name is at most {MaxNameLength} characters."];
        }

        if (request.Owner is { Length: > MaxNameLength })
        {
            errors["owner"] = [$"A key's owner is at most {MaxNameLength} characters."];
        }

        var scopes = request.Scopes ?? [];
        var unknown = scopes.Where(scope => !SampleScopes.All.Contains(scope, StringComparer.Ordinal)).ToArray();
        if (unknown.Length > 0)
        {
            errors["scopes"] = [$"Unknown scope(s): {string.Join(", ", unknown)}. Known: {string.Join(", ", SampleScopes.All)}."];
        }
        else if (scopes.Count == 0)
        {
            errors["scopes"] = [$"A key needs at least one scope: {string.Join(", ", SampleScopes.All)}."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, detail: string.Join(" ", errors.Values.SelectMany(e => e)), title: "Invalid key request");
        }

        CreatedApiKey created;
        try
        {
            created = await manager.CreateAsync(request.ToCreateRequest(), cancellationToken);
        }
        catch (ArgumentException exception)
        {
            // The manager's own rules (lengths, characters) that the checks above do not repeat: a 400 naming the
            // problem, never a 500. The message names the field and the rule; it carries no secret.
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["request"] = [exception.Message.Replace(" (Parameter 'request')", "", StringComparison.Ordinal)] },
                title: "Invalid key request");
        }

        return TypedResults.Created($"/admin/keys/{created.Record.Id}", CreatedKey.From(created));
    }

    private static async Task<IResult> ListAsync(IApiKeyManager manager, CancellationToken cancellationToken)
    {
        var records = await manager.ListAsync(cancellationToken: cancellationToken);
        return TypedResults.Ok(records.Select(KeyRecord.From).ToList());
    }

    // overlapMinutes is read as text: a number the framework cannot bind ("ten") would otherwise be a bare 400 that
    // cannot say which value was wrong. The document still declares an integer of 0 to 43,200 (SampleOpenApiSchemas).
    private static async Task<IResult> RotateAsync(
        string id, IApiKeyManager manager, CancellationToken cancellationToken, [FromQuery] string? overlapMinutes = null)
    {
        var overlap = DefaultOverlapMinutes;
        if (overlapMinutes is not null
            && (!int.TryParse(overlapMinutes, NumberStyles.None, CultureInfo.InvariantCulture, out overlap) || overlap > MaxOverlapMinutes))
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["overlapMinutes"] = [OverlapRule] },
                detail: OverlapRule,
                title: "Invalid overlap");
        }

        try
        {
            var rotated = await manager.RotateAsync(id, TimeSpan.FromMinutes(overlap), cancellationToken);
            return rotated is null ? NotFound(id) : TypedResults.Ok(CreatedKey.From(rotated));
        }
        catch (ApiKeyRotationException exception)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Key cannot be rotated", detail: exception.Message);
        }
    }

    private static async Task<IResult> RevokeAsync(string id, IApiKeyManager manager, CancellationToken cancellationToken)
        => await manager.RevokeAsync(id, cancellationToken) ? TypedResults.NoContent() : NotFound(id);

    private static IResult NotFound(string id)
        => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Key not found", detail: $"There is no API key '{id}'.");
}

/// <summary>The body of <c>POST /admin/keys</c>.</summary>
/// <param name="Name">What the key is for.</param>
/// <param name="Scopes">What the key may do: analyze, jobs:write, admin.</param>
/// <param name="Owner">Who holds it; the name when empty.</param>
/// <param name="Plan">The rate-limit plan (a tier of RateLimiting:Policies), e.g. demo or pro; none = the default limits.</param>
/// <param name="ExpiresAt">When the key stops working; never when empty.</param>
/// <remarks>
/// Name and scopes are required and not null in the OpenAPI document; the endpoint still checks them (a client may send
/// null) and answers 400 naming the field. The scopes' enum is declared by <see cref="SampleOpenApiSchemas"/>.
/// </remarks>
public sealed record CreateKeyRequest(
    [property: MinLength(1), MaxLength(AdminKeyEndpoints.MaxNameLength)] string Name,
    [property: MinLength(1)] IReadOnlyList<string> Scopes,
    [property: MaxLength(AdminKeyEndpoints.MaxNameLength)] string? Owner = null,
    string? Plan = null,
    DateTimeOffset? ExpiresAt = null)
{
    internal ApiKeyCreateRequest ToCreateRequest() => new()
    {
        Name = Name,
        Owner = string.IsNullOrWhiteSpace(Owner) ? Name! : Owner,
        Scopes = Scopes ?? [],
        ExpiresAt = ExpiresAt,
        Metadata = string.IsNullOrWhiteSpace(Plan)
            ? null
            : new Dictionary<string, string> { [SampleScopes.PlanMetadata] = Plan },
    };
}

/// <summary>A key's record: never its secret or hash.</summary>
public sealed record KeyRecord(
    string Id,
    string? Name,
    string Owner,
    string Prefix,
    IReadOnlyList<string> Scopes,
    string? Plan,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt,
    DateTimeOffset? LastUsedAt,
    bool IsDisabled,
    string? ReplacedById)
{
    internal static KeyRecord From(ApiKeyRecord record) => new(
        record.Id, record.Name, record.Owner, record.Prefix, record.Scopes,
        record.Metadata.GetValueOrDefault(SampleScopes.PlanMetadata),
        record.CreatedAt, record.ExpiresAt, record.RevokedAt, record.LastUsedAt, record.IsDisabled, record.ReplacedById);
}

/// <summary>A new key: <paramref name="Key"/> is the secret, shown in this answer only.</summary>
public sealed record CreatedKey(string Key, KeyRecord Record)
{
    internal static CreatedKey From(CreatedApiKey created) => new(created.Key, KeyRecord.From(created.Record));
}
