using Microsoft.OpenApi;
using Strata.Shared.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Strata.RateLimiting.Swashbuckle;

/// <summary>Describes each operation with <see cref="RateLimitOperationDescriber"/>.</summary>
internal sealed class RateLimitOperationFilter(IServiceProvider services) : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context) =>
        RateLimitOperationDescriber.Describe(operation, context.Document, context.ApiDescription.ActionDescriptor.EndpointMetadata, services);
}
