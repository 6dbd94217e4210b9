using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Strata.Swashbuckle.Tests;

/// <summary>An app's own filter that takes a name as its argument (here the API key scheme's name) and tags each operation with it.</summary>
internal sealed class NamedFilter(string name) : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context) =>
        operation.Summary = name;
}
