using System.Text.Json;
using Strata.Sample.Api.Tests.Infrastructure;

namespace Strata.Sample.Api.Tests;

/// <summary>
/// The live <c>/openapi/v1.json</c> declares what the server enforces and sends: number types without a string
/// alternative, what is required and nullable, the limits the endpoints check, the tags and every status code.
/// </summary>
public sealed class OpenApiDocumentTests(SampleApiFactory factory) : IClassFixture<SampleApiFactory>
{
    private static readonly string[] Scopes = ["analyze", "jobs:write", "admin"];

    [Fact]
    public async Task Every_integer_and_number_is_typed_as_a_number_only()
    {
        var root = await DocumentAsync();

        var mixed = new List<string>();
        Walk(root, "#", mixed);

        mixed.Should().BeEmpty("the server reads numbers strictly (no \"42\" for 42), so no schema may allow a string");
        Schema(root, "AnalysisResult").GetProperty("properties").GetProperty("tokenCount").GetProperty("type").GetString().Should().Be("integer");
        Schema(root, "AnalysisResult").GetProperty("properties").GetProperty("sentimentScore").GetProperty("type").GetString().Should().Be("number");
    }

    [Fact]
    public async Task Key_creation_requires_name_and_scopes_only_and_declares_their_limits()
    {
        var schema = Schema(await DocumentAsync(), "CreateKeyRequest");
        var properties = schema.GetProperty("properties");

        Strings(schema.GetProperty("required")).Should().BeEquivalentTo(["name", "scopes"]);
        properties.GetProperty("name").GetProperty("type").GetString().Should().Be("string", "name is not nullable");
        properties.GetProperty("name").GetProperty("maxLength").GetInt32().Should().Be(256);
        properties.GetProperty("name").GetProperty("minLength").GetInt32().Should().Be(1);
        properties.GetProperty("owner").GetProperty("maxLength").GetInt32().Should().Be(256);
        var scopes = properties.GetProperty("scopes");
        scopes.GetProperty("type").GetString().Should().Be("array", "scopes is not nullable");
        scopes.GetProperty("minItems").GetInt32().Should().Be(1);
        Strings(scopes.GetProperty("items").GetProperty("enum")).Should().Equal(Scopes);
        properties.GetProperty("expiresAt").GetProperty("format").GetString().Should().Be("date-time");
    }

    [Fact]
    public async Task Document_text_is_a_required_non_null_string_of_at_most_100000_characters()
    {
        var schema = Schema(await DocumentAsync(), "DocumentRequest");
        var text = schema.GetProperty("properties").GetProperty("text");

        Strings(schema.GetProperty("required")).Should().Equal("text");
        text.GetProperty("type").GetString().Should().Be("string");
        text.GetProperty("maxLength").GetInt32().Should().Be(100_000);
        text.GetProperty("minLength").GetInt32().Should().Be(1);
    }

    [Fact]
    public async Task Rotation_overlap_is_an_integer_query_parameter_from_0_to_43200()
    {
        var root = await DocumentAsync();
        var parameters = root.GetProperty("paths").GetProperty("/admin/keys/{id}/rotate").GetProperty("post").GetProperty("parameters");

        var overlap = parameters.EnumerateArray().Single(p => p.GetProperty("name").GetString() == "overlapMinutes");

        overlap.GetProperty("in").GetString().Should().Be("query");
        var schema = overlap.GetProperty("schema");
        schema.GetProperty("type").GetString().Should().Be("integer");
        schema.GetProperty("minimum").GetInt32().Should().Be(0);
        schema.GetProperty("maximum").GetInt32().Should().Be(43_200);
        schema.GetProperty("default").GetInt32().Should().Be(60);
    }

    [Fact]
    public async Task Job_state_is_an_enum_and_progress_a_percentage()
    {
        var properties = Schema(await DocumentAsync(), "JobStatus").GetProperty("properties");

        Strings(properties.GetProperty("state").GetProperty("enum"))
            .Should().Equal("queued", "scheduled", "running", "succeeded", "failed", "dead", "cancelled");
        var progress = properties.GetProperty("progress");
        progress.GetProperty("minimum").GetInt32().Should().Be(0);
        progress.GetProperty("maximum").GetInt32().Should().Be(100);
    }

    [Fact]
    public async Task The_analyze_route_is_tagged_by_what_it_does_not_by_its_class()
    {
        var root = await DocumentAsync();

        var tags = root.GetProperty("paths").GetProperty("/v1/analyze").GetProperty("post").GetProperty("tags");

        Strings(tags).Should().Equal("Analysis");
    }

    [Theory]
    [InlineData("/v1/analyze", "post", "200 400 401 403 413 415 429 502 503")]
    [InlineData("/v1/jobs", "post", "202 400 401 403 413 415 429 503")]
    [InlineData("/v1/jobs/{id}", "get", "200 401 403 404 429 503")]
    [InlineData("/v1/jobs/{id}", "delete", "200 401 403 404 409 429 503")]
    [InlineData("/admin/keys", "post", "201 400 401 403 413 415 429 503")]
    [InlineData("/admin/keys", "get", "200 401 403 429 503")]
    [InlineData("/admin/keys/{id}/rotate", "post", "200 400 401 403 404 409 429 503")]
    [InlineData("/admin/keys/{id}", "delete", "204 401 403 404 429 503")]
    public async Task Every_status_code_an_endpoint_can_send_is_declared(string path, string method, string statuses)
    {
        var root = await DocumentAsync();

        var responses = root.GetProperty("paths").GetProperty(path).GetProperty(method).GetProperty("responses");

        responses.EnumerateObject().Select(r => r.Name).Should().BeEquivalentTo(statuses.Split(' '));
    }

    [Theory]
    [InlineData("/v1/analyze", "post", "analyze")]
    [InlineData("/v1/jobs", "post", "jobs:write")]
    [InlineData("/v1/jobs/{id}", "get", "jobs:write")]
    [InlineData("/admin/keys", "get", "admin")]
    public async Task Protected_operations_list_their_scope_and_declare_401_with_WWW_Authenticate_and_403_naming_missing_scopes(string path, string method, string scope)
    {
        var operation = Operation(await DocumentAsync(), path, method);

        var requirement = operation.GetProperty("security").EnumerateArray().Single();
        Strings(requirement.GetProperty("ApiKey")).Should().Equal(scope);
        var responses = operation.GetProperty("responses");
        responses.GetProperty("401").GetProperty("headers").GetProperty("WWW-Authenticate").GetProperty("required").GetBoolean().Should().BeTrue();
        ProblemSchema(responses.GetProperty("401")).Should().Be("#/components/schemas/StrataProblemDetails");
        ProblemSchema(responses.GetProperty("403")).Should().Be("#/components/schemas/ApiKeyScopeProblemDetails");
    }

    [Theory]
    [InlineData("/v1/analyze", "post", "per-key")]
    [InlineData("/v1/jobs", "post", "per-key")]
    [InlineData("/admin/keys", "post", "admin")]
    public async Task Rate_limited_operations_declare_429_with_Retry_After_and_the_RateLimit_headers_on_every_answer(string path, string method, string policy)
    {
        var responses = Operation(await DocumentAsync(), path, method).GetProperty("responses");

        var tooMany = responses.GetProperty("429");
        tooMany.GetProperty("description").GetString().Should().StartWith($"Too many requests: policy '{policy}' allows ");
        Names(tooMany.GetProperty("headers")).Should().Contain(["Retry-After", "RateLimit", "RateLimit-Policy"]);
        ProblemSchema(tooMany).Should().Be("#/components/schemas/RateLimitProblemDetails");
        var success = responses.EnumerateObject().First(r => r.Name.StartsWith('2')).Value;
        Names(success.GetProperty("headers")).Should().Contain(["RateLimit", "RateLimit-Policy"]);
    }

    [Fact]
    public async Task Health_endpoints_get_no_key_requirement_and_no_rate_limit_answers()
    {
        var root = await DocumentAsync();

        foreach (var path in root.GetProperty("paths").EnumerateObject().Where(p => p.Name.StartsWith("/health", StringComparison.Ordinal)))
        {
            var operation = path.Value.GetProperty("get");
            operation.TryGetProperty("security", out _).Should().BeFalse(path.Name);
            Names(operation.GetProperty("responses")).Should().NotContain(["401", "403", "429"], path.Name);
        }
    }

    [Fact]
    public async Task Job_submission_declares_Location_Retry_After_and_an_Idempotency_Key_of_at_most_200_characters()
    {
        var root = await DocumentAsync();
        var submit = Operation(root, "/v1/jobs", "post");

        var accepted = submit.GetProperty("responses").GetProperty("202").GetProperty("headers");
        accepted.GetProperty("Location").GetProperty("required").GetBoolean().Should().BeTrue();
        accepted.GetProperty("Retry-After").GetProperty("required").GetBoolean().Should().BeTrue();
        var key = submit.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "Idempotency-Key");
        key.GetProperty("in").GetString().Should().Be("header");
        key.GetProperty("schema").GetProperty("maxLength").GetInt32().Should().Be(200);
        var poll = Operation(root, "/v1/jobs/{id}", "get").GetProperty("responses");
        Names(poll.GetProperty("200").GetProperty("headers")).Should().Contain("Retry-After");
        poll.GetProperty("503").GetProperty("headers").GetProperty("Retry-After").GetProperty("required").GetBoolean().Should().BeTrue();
    }

    private static JsonElement Operation(JsonElement root, string path, string method) =>
        root.GetProperty("paths").GetProperty(path).GetProperty(method);

    private static string[] Names(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];

    private static string? ProblemSchema(JsonElement response) =>
        response.GetProperty("content").GetProperty("application/problem+json").GetProperty("schema").GetProperty("$ref").GetString();

    private async Task<JsonElement> DocumentAsync()
    {
        using var client = factory.CreateClient(apiKey: null);
        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        return document.RootElement.Clone();
    }

    private static JsonElement Schema(JsonElement root, string name)
        => root.GetProperty("components").GetProperty("schemas").GetProperty(name);

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];

    // Every schema whose type list mixes a number type with "string" (what JsonNumberHandling.AllowReadingFromString
    // makes the generator write), with its JSON path.
    private static void Walk(JsonElement element, string path, List<string> mixed)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            if (element.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.Array)
            {
                var names = Strings(type);
                if (names.Contains("string") && (names.Contains("integer") || names.Contains("number")))
                {
                    mixed.Add(path);
                }
            }

            foreach (var property in element.EnumerateObject())
            {
                Walk(property.Value, $"{path}/{property.Name}", mixed);
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var item in element.EnumerateArray())
            {
                Walk(item, $"{path}/{i++}", mixed);
            }
        }
    }
}
