namespace Strata.Jobs;

/// <summary>
/// Endpoint metadata that marks a job endpoint and what it sends beyond its status codes: <c>MapJobEndpoints</c> puts it
/// on the three endpoints it maps, and documentation generators (Strata.Jobs.OpenApi, Strata.Jobs.Swashbuckle) read it to
/// describe the <c>Location</c> and <c>Retry-After</c> headers and the <c>Idempotency-Key</c> parameter. An endpoint of
/// your own that follows the same contract may carry it too (<c>.WithMetadata(new JobEndpointMetadata(...))</c>).
/// </summary>
public sealed class JobEndpointMetadata
{
    /// <summary>The longest idempotency key the submit endpoint accepts; a longer one gets 400.</summary>
    public const int MaxIdempotencyKeyLength = 200;

    /// <summary>Creates the metadata of one job endpoint.</summary>
    /// <param name="kind">Which endpoint it is.</param>
    /// <param name="idempotencyKeyHeader">For <see cref="JobEndpointKind.Submit"/>: the header read as the idempotency key; null when none is.</param>
    public JobEndpointMetadata(JobEndpointKind kind, string? idempotencyKeyHeader = null)
    {
        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Submit, Status, Cancel or Admin.");
        }

        if (idempotencyKeyHeader is not null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(idempotencyKeyHeader);
        }

        Kind = kind;
        IdempotencyKeyHeader = kind == JobEndpointKind.Submit ? idempotencyKeyHeader : null;
    }

    /// <summary>Which endpoint it is.</summary>
    public JobEndpointKind Kind { get; }

    /// <summary>
    /// For the submit endpoint: the request header whose value becomes the job's idempotency key, at most
    /// <see cref="MaxIdempotencyKeyLength"/> characters; null when the endpoint reads none (and for status and cancel).
    /// </summary>
    public string? IdempotencyKeyHeader { get; }
}
