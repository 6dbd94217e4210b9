using System.Text.Json;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace Strata.Jobs.OpenApi.Tests;

public sealed class TransformerTests
{
    [Fact]
    public async Task Headers_and_parameters_the_app_declared_on_a_job_operation_are_kept()
    {
        var root = await DocumentHost.DocumentAsync(options => options.AddOperationTransformer(OwnDescription));

        var submit = DocumentHost.Operation(root, "/v1/echo", "post");
        submit.GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString())
            .Should().Equal("X-Tenant", "Idempotency-Key");
        Headers(submit.GetProperty("responses").GetProperty("202")).Should().BeEquivalentTo("X-Trace", "Location", "Retry-After");
        Headers(submit.GetProperty("responses").GetProperty("503")).Should().BeEquivalentTo("X-Trace", "Retry-After");
    }

    [Fact]
    public async Task Idempotency_key_parameter_the_app_declared_itself_is_not_added_twice()
    {
        var root = await DocumentHost.DocumentAsync(options => options.AddOperationTransformer((operation, context, _) =>
        {
            if (IsSubmit(context))
            {
                operation.Parameters = [new OpenApiParameter { Name = "idempotency-key", In = ParameterLocation.Header, Description = "Ours." }];
            }

            return Task.CompletedTask;
        }));

        var parameter = DocumentHost.Operation(root, "/v1/echo", "post").GetProperty("parameters").EnumerateArray().Single();
        parameter.GetProperty("description").GetString().Should().Be("Ours.");
    }

    [Fact]
    public async Task A_query_parameter_named_like_the_idempotency_key_header_does_not_stop_the_header_parameter()
    {
        var root = await DocumentHost.DocumentAsync(options => options.AddOperationTransformer((operation, context, _) =>
        {
            if (IsSubmit(context))
            {
                operation.Parameters = [new OpenApiParameter { Name = "Idempotency-Key", In = ParameterLocation.Query }];
            }

            return Task.CompletedTask;
        }));

        DocumentHost.Operation(root, "/v1/echo", "post").GetProperty("parameters").EnumerateArray()
            .Select(p => p.GetProperty("in").GetString()).Should().Equal("query", "header");
    }

    [Fact]
    public async Task Job_operations_whose_responses_an_earlier_transformer_removed_get_them_with_Strata_descriptions()
    {
        var root = await DocumentHost.DocumentAsync(options => options.AddOperationTransformer((operation, context, _) =>
        {
            if (context.Description.RelativePath?.StartsWith("v1/echo", StringComparison.Ordinal) == true)
            {
                operation.Responses = null;
            }

            return Task.CompletedTask;
        }));

        var accepted = DocumentHost.Operation(root, "/v1/echo", "post").GetProperty("responses").GetProperty("202");
        accepted.GetProperty("description").GetString().Should().Be("Accepted: the job is queued.");
        Headers(accepted).Should().Equal("Location", "Retry-After");
        var ok = DocumentHost.Operation(root, "/v1/echo/{id}", "get").GetProperty("responses").GetProperty("200");
        ok.GetProperty("description").GetString().Should().Be("The job's status.");
        Headers(ok).Should().Equal("Retry-After");
    }

    [Fact]
    public void Null_options_are_refused_naming_the_parameter()
    {
        FluentActions.Invoking(() => ((OpenApiOptions)null!).AddJobEndpointDescriptions())
            .Should().Throw<ArgumentNullException>().WithParameterName("options");
    }

    private static Task OwnDescription(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (IsSubmit(context))
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter { Name = "X-Tenant", In = ParameterLocation.Header, Schema = new OpenApiSchema { Type = JsonSchemaType.String } });
            foreach (var status in new[] { "202", "503" })
            {
                var response = (OpenApiResponse)operation.Responses![status];
                response.Headers = new Dictionary<string, IOpenApiHeader> { ["X-Trace"] = new OpenApiHeader { Schema = new OpenApiSchema { Type = JsonSchemaType.String } } };
            }
        }

        return Task.CompletedTask;
    }

    private static bool IsSubmit(OpenApiOperationTransformerContext context) =>
        context.Description.RelativePath?.Trim('/') == "v1/echo" && context.Description.HttpMethod == "POST";

    private static string[] Headers(JsonElement response) =>
        [.. response.GetProperty("headers").EnumerateObject().Select(h => h.Name)];
}
