using Microsoft.AspNetCore.Http;
using Microsoft.OpenApi;
using Strata.Jobs;

namespace Strata.Shared.OpenApi;

/// <summary>
/// What Strata.Jobs adds to a document, whichever generator makes it: on each job endpoint's operation, the headers and
/// the parameter the handlers read and write, and the problem bodies typed with <c>traceId</c>. The status codes come
/// from the endpoint's own <c>Produces</c> metadata.
/// </summary>
internal static class JobOperationDescriber
{
    /// <summary>The component both generators name the <c>ProblemDetails</c> type; bodies of it become the typed schema.</summary>
    private const string FrameworkProblem = "ProblemDetails";

    /// <summary>Describes <paramref name="operation"/> from its endpoint's <paramref name="metadata"/>.</summary>
    public static void Describe(OpenApiOperation operation, OpenApiDocument document, IList<object> metadata)
    {
        if (metadata.OfType<IExcludeFromJobDescriptionMetadata>().LastOrDefault()?.ExcludeFromJobDescription == true
            || metadata.OfType<JobEndpointMetadata>().LastOrDefault() is not { } job)
        {
            return;
        }

        TypeProblems(operation, ProblemSchemas.Reference(document));
        var retryAfter = ProblemSchemas.Seconds("Seconds.");
        switch (job.Kind)
        {
            case JobEndpointKind.Submit:
                var accepted = OperationResponses.GetOrAdd(operation, StatusCodes.Status202Accepted, "Accepted: the job is queued.");
                OperationResponses.Header(accepted, "Location", "The job's status URL, to poll with GET.", ProblemSchemas.Text("The status URL.", "uri-reference"), required: true);
                OperationResponses.Header(accepted, "Retry-After", "Seconds to wait before the first poll.", retryAfter, required: true);
                if (job.IdempotencyKeyHeader is { } header)
                {
                    AddIdempotencyKey(operation, header);
                }

                break;
            case JobEndpointKind.Status:
                var ok = OperationResponses.GetOrAdd(operation, StatusCodes.Status200OK, "The job's status.");
                OperationResponses.Header(ok, "Retry-After", "Present while the job is not finished (queued, scheduled, running or failed between attempts): seconds to wait before polling again.", retryAfter);
                break;
            case JobEndpointKind.Admin when operation.Responses?.TryGetValue("202", out var started) == true && started is OpenApiResponse triggered:
                OperationResponses.Header(triggered, "Location", "The new job's status URL under the admin prefix.", ProblemSchemas.Text("The status URL.", "uri-reference"), required: true);
                break;
        }

        if (operation.Responses?.TryGetValue("503", out var unavailable) == true && unavailable is OpenApiResponse response)
        {
            OperationResponses.Header(response, "Retry-After", "Seconds to wait before trying again.", retryAfter, required: true);
        }
    }

    private static void AddIdempotencyKey(OpenApiOperation operation, string header)
    {
        operation.Parameters ??= [];
        if (operation.Parameters.Any(p => p.In == ParameterLocation.Header && string.Equals(p.Name, header, StringComparison.OrdinalIgnoreCase)))
        {
            return;
        }

        operation.Parameters.Add(new OpenApiParameter
        {
            Name = header,
            In = ParameterLocation.Header,
            Required = false,
            Description = "Makes a retried submission return the first one's job instead of enqueueing another (per caller). " +
                $"At most {JobEndpointMetadata.MaxIdempotencyKeyLength} characters; a longer one gets 400.",
            Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = JobEndpointMetadata.MaxIdempotencyKeyLength },
        });
    }

    /// <summary>Problem bodies of the framework's <c>ProblemDetails</c> type become the typed schema (others, such as validation problems, stay).</summary>
    private static void TypeProblems(OpenApiOperation operation, IOpenApiSchema problem)
    {
        foreach (var (_, response) in OperationResponses.All(operation))
        {
            if (response.Content is null)
            {
                continue;
            }

            foreach (var (_, media) in response.Content)
            {
                // A media type by reference (Microsoft.OpenApi 3) belongs to the document: left as it is.
                if (media is OpenApiMediaType own && own.Schema is OpenApiSchemaReference { Reference.Id: FrameworkProblem })
                {
                    own.Schema = problem;
                }
            }
        }
    }
}
