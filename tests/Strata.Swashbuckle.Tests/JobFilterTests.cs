using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Swashbuckle.AspNetCore.SwaggerGen;
using static Strata.Swashbuckle.Tests.SwaggerDocument;

namespace Strata.Swashbuckle.Tests;

public sealed class JobFilterTests
{
    [Fact]
    public async Task A_query_parameter_named_like_the_idempotency_key_header_does_not_stop_the_header_parameter()
    {
        var root = await DocumentAsync(options => options.OperationFilter<QueryKeyFilter>());

        Operation(root, "/v1/echo", "post").GetProperty("parameters").EnumerateArray()
            .Select(p => p.GetProperty("in").GetString()).Should().Equal("query", "header");
    }

    [Fact]
    public async Task Job_operations_whose_responses_an_earlier_filter_removed_get_them_with_Strata_descriptions()
    {
        var root = await DocumentAsync(options => options.OperationFilter<ResponselessFilter>());

        var accepted = Operation(root, "/v1/echo", "post").GetProperty("responses").GetProperty("202");
        accepted.GetProperty("description").GetString().Should().Be("Accepted: the job is queued.");
        Operation(root, "/v1/echo/{id}", "get").GetProperty("responses").GetProperty("200").GetProperty("description").GetString()
            .Should().Be("The job's status.");
    }

    private static async Task<JsonElement> DocumentAsync(Action<SwaggerGenOptions> own)
    {
        using var document = JsonDocument.Parse(await JobHost.JsonAsync(own));
        return document.RootElement.Clone();
    }
}
