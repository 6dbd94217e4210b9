using Strata.Sample.Api.Tests.Infrastructure;
using Strata.Sample.Api.Tests.Infrastructure.Contract;

namespace Strata.Sample.Api.Tests;

/// <summary>
/// The response check that every <see cref="SampleApiFactory"/> runs on dispose (<see cref="OpenApiContract"/>): it
/// passes what the sample sends, and reports a response that breaks the document (negative controls).
/// </summary>
public sealed class ResponseContractTests(SampleApiFactory factory) : IClassFixture<SampleApiFactory>
{
    private const string Problem = "application/problem+json";

    [Fact]
    public async Task The_sample_responses_received_through_the_factory_are_recorded_and_match_the_document()
    {
        using var client = factory.CreateClient(await factory.CreateKeyAsync(["analyze"]));

        using var response = await client.PostTextAsync("/v1/analyze", "A short and happy note about the contract.");

        factory.Responses.Should().Contain(recorded => recorded.Path == "/v1/analyze" && recorded.Status == 200 && recorded.Body!.Contains("tokenCount"));
        (await factory.CheckResponsesAsync()).Where(mismatch => !mismatch.IsAllowed).Should().BeEmpty();
    }

    [Fact]
    public async Task A_body_with_a_wrong_type_a_bad_format_or_a_missing_property_is_reported_naming_the_operation_and_status()
    {
        var contract = await LiveContractAsync();

        var mismatches = contract.Check(Json("POST", "/v1/analyze", 200, """{"analysisId": 42, "tokenCount": "many", "createdAt": "yesterday"}"""));

        mismatches.Should().ContainSingle(mismatch => !mismatch.IsAllowed).Which.Should().Match<ContractMismatch>(mismatch =>
            mismatch.Operation == "Analyze" && mismatch.Status == 200 && mismatch.Problem.Contains("does not match its schema")
            && mismatch.Problem.Contains("/tokenCount") && mismatch.Problem.Contains("/createdAt") && mismatch.Problem.Contains("required"));
    }

    [Fact]
    public async Task An_undeclared_status_an_undeclared_media_type_and_an_unknown_path_are_reported()
    {
        var contract = await LiveContractAsync();

        var teapot = contract.Check(Json("GET", "/v1/jobs/default.0", 418, """{"title": "I'm a teapot"}""", Problem));
        var text = contract.Check(new RecordedResponse("GET", "/v1/jobs/default.0", 404, Headers(), "text/plain", null));
        var bodyOn204 = contract.Check(Json("DELETE", "/admin/keys/key_1", 204, "{}"));
        var unknown = contract.Check(Json("GET", "/v1/nothing", 200, "{}"));

        teapot.Should().ContainSingle().Which.Should().Match<ContractMismatch>(m => m.Operation == "GetJob" && m.Allowance == "status GetJob 418" && !m.IsAllowed);
        text.Should().ContainSingle().Which.Problem.Should().Contain("text/plain").And.Contain(Problem);
        bodyOn204.Should().ContainSingle().Which.Problem.Should().Contain("declares no body");
        unknown.Should().ContainSingle().Which.Should().Match<ContractMismatch>(m => m.Allowance == "path /v1/nothing" && !m.IsAllowed);
    }

    [Fact]
    public void Declared_headers_are_checked_for_presence_and_against_their_schema()
    {
        // The live document declares no response header yet (branch oas adds them): a document of its own proves the check.
        var contract = new OpenApiContract("""
            {"openapi": "3.1.1", "info": {"title": "t", "version": "1"}, "paths": {"/jobs": {"post": {"operationId": "Submit",
              "responses": {"503": {"description": "out", "headers": {
                "Retry-After": {"required": true, "schema": {"type": "integer", "minimum": 0}},
                "X-Trace": {"schema": {"type": "string", "pattern": "^[0-9a-f]+$"}}}}}}}}}
            """);

        var missing = contract.Check(Empty(503, Headers()));
        var notANumber = contract.Check(Empty(503, Headers(("Retry-After", "soon"))));
        var wrongPattern = contract.Check(Empty(503, Headers(("Retry-After", "5"), ("X-Trace", "XYZ"))));
        var undeclared = contract.Check(Empty(503, Headers(("Retry-After", "5"), ("RateLimit", "\"per-key\";r=0;t=5"))));
        var valid = contract.Check(Empty(503, Headers(("Retry-After", "5"), ("X-Trace", "abc123"))));

        missing.Should().ContainSingle().Which.Problem.Should().Be("the required header Retry-After is missing");
        notANumber.Should().ContainSingle().Which.Problem.Should().StartWith("the header Retry-After: soon does not match its schema");
        wrongPattern.Should().ContainSingle().Which.Allowance.Should().Be("header-value Submit 503 X-Trace");
        undeclared.Should().ContainSingle().Which.Allowance.Should().Be("header RateLimit");
        valid.Should().BeEmpty();
    }

    private async Task<OpenApiContract> LiveContractAsync()
    {
        using var client = factory.CreateClient(apiKey: null);
        return new OpenApiContract(await client.GetStringAsync("/openapi/v1.json"));
    }

    private static RecordedResponse Json(string method, string path, int status, string body, string mediaType = "application/json")
        => new(method, path, status, Headers(), mediaType, body);

    private static RecordedResponse Empty(int status, IReadOnlyDictionary<string, string[]> headers)
        => new("POST", "/jobs", status, headers, null, null);

    private static Dictionary<string, string[]> Headers(params (string Name, string Value)[] headers)
        => headers.ToDictionary(header => header.Name, header => new[] { header.Value }, StringComparer.OrdinalIgnoreCase);
}
