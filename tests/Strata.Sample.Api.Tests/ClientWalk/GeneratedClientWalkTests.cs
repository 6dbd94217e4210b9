using System.Diagnostics;
using System.Text.Json;
using Strata.Testing;
using Xunit.Abstractions;

namespace Strata.Sample.Api.Tests.ClientWalk;

/// <summary>
/// A generated client proves the HTTP contract: the sample runs in role api on real Kestrel over a real redis-server
/// (<see cref="ClientWalkFactory"/>), Kiota generates a C# client from its live <c>/openapi/v1.json</c>, and the walk in
/// <c>Template/Walker/Program.cs</c>, built from that client and nothing hand-written but the calls, runs every step
/// against the sample: analyze; submit with an Idempotency-Key and resubmit to the same job; poll to succeeded; cancel
/// (and 409 for a finished job); create, list, rotate and revoke a key; a 429 with its Retry-After; a 503 with
/// redis-server stopped. The test asserts one <c>ok</c> line per step and exit code 0.
/// </summary>
/// <remarks>
/// Kiota (1.38.0) limitations met here, none worked around with hand-written types:
/// <list type="bullet">
/// <item>No typed headers at all: request header parameters and response headers are not projected into the client
/// (microsoft/kiota#5785, #6449). The header names are read from the live document by this test (the ApiKey security
/// scheme's <c>name</c>, the <c>Idempotency-Key</c> parameter of SubmitJob) and handed to the walk; the walk sets them
/// through the request configuration's <c>Headers</c> and reads response headers through
/// <c>HeadersInspectionHandlerOption</c>, whose strings the BCL's <c>HttpResponseHeaders</c> parses into typed
/// <c>Location</c> and <c>Retry-After</c>. The RateLimit fields have no typed reader in the BCL or in Kiota.</item>
/// <item><c>ApiKeyAuthenticationProvider</c> accepts only https; the sample runs on http here, so the key is a default
/// header of the HttpClient that <c>KiotaClientFactory</c> builds.</item>
/// <item>Microsoft.Kiota.Bundle 2.1.6 is not served here: the walk references the six runtime packages instead.</item>
/// </list>
/// Until the document declares the <c>Idempotency-Key</c> header parameter on <c>POST /v1/jobs</c>, the submit step
/// fails and says so: the generated client has no way to know the header.
/// </remarks>
public sealed class GeneratedClientWalkTests(ITestOutputHelper output)
{
    private const string OutageSignal = "outage: stop redis";
    private static readonly string[] Steps = ["analyze", "submit", "poll", "cancel", "admin-keys", "rate-limit", "redis-outage"];
    private static readonly TimeSpan WalkTimeout = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task A_client_generated_from_the_live_document_walks_every_route_of_the_sample()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var factory = new ClientWalkFactory(redis.ConnectionString);
        var key = await factory.CreateKeyAsync(["analyze", "jobs:write"], plan: "pro");
        var adminKey = await factory.CreateKeyAsync(["admin"]);
        var limitedKey = await factory.CreateKeyAsync(["jobs:write"], plan: ClientWalkFactory.LimitedPlan);
        using var http = factory.CreateClient(apiKey: null);
        var document = await http.GetStringAsync("/openapi/v1.json");
        var (keyHeader, idempotencyHeader) = HeaderNames(document);
        output.WriteLine($"document: ApiKey header '{keyHeader}', SubmitJob Idempotency-Key parameter '{idempotencyHeader ?? "(not declared)"}'");

        var folder = Directory.CreateTempSubdirectory("strata-client-walk-");
        try
        {
            var walker = await GeneratedClient.BuildWalkerAsync(document, folder.FullName);
            string[] args = [walker, http.BaseAddress!.ToString().TrimEnd('/'), keyHeader, key, adminKey, limitedKey, .. idempotencyHeader is null ? [] : new[] { idempotencyHeader }];
            var (exitCode, lines) = await WalkAsync(args, folder.FullName, redis);
            await redis.RestartAsync();   // the host stops cleanly with its Redis back

            var steps = lines.Where(line => line.StartsWith("step ", StringComparison.Ordinal)).ToList();
            var transcript = string.Join('\n', lines);
            steps.Select(line => line.Split(' ')[1]).Should().Equal(Steps, $"the walk prints one line per step:\n{transcript}");
            steps.Where(line => line.Split(' ')[2] != "ok").Should().BeEmpty($"every step of the walk passes:\n{transcript}");
            exitCode.Should().Be(0, transcript);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>The ApiKey scheme's header and the declared Idempotency-Key parameter of <c>POST /v1/jobs</c> (or null).</summary>
    private static (string KeyHeader, string? IdempotencyHeader) HeaderNames(string document)
    {
        using var json = JsonDocument.Parse(document);
        var root = json.RootElement;
        var keyHeader = root.GetProperty("components").GetProperty("securitySchemes").EnumerateObject()
            .Select(scheme => scheme.Value)
            .Single(scheme => scheme.GetProperty("type").GetString() == "apiKey" && scheme.GetProperty("in").GetString() == "header")
            .GetProperty("name").GetString()!;

        string? idempotency = null;
        if (root.GetProperty("paths").GetProperty("/v1/jobs").GetProperty("post").TryGetProperty("parameters", out var parameters))
        {
            idempotency = parameters.EnumerateArray()
                .Select(parameter => Resolve(root, parameter))
                .Where(parameter => parameter.GetProperty("in").GetString() == "header")
                .Select(parameter => parameter.GetProperty("name").GetString())
                .FirstOrDefault(name => string.Equals(name, "Idempotency-Key", StringComparison.OrdinalIgnoreCase));
        }

        return (keyHeader, idempotency);
    }

    private static JsonElement Resolve(JsonElement root, JsonElement element)
    {
        if (!element.TryGetProperty("$ref", out var reference))
        {
            return element;
        }

        var target = root;
        foreach (var part in reference.GetString()!.TrimStart('#', '/').Split('/'))
        {
            target = target.GetProperty(part.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal));
        }

        return target;
    }

    /// <summary>Runs the walk; when it asks for the outage, kills redis-server and tells it to go on.</summary>
    private async Task<(int ExitCode, List<string> Lines)> WalkAsync(string[] args, string directory, RedisServer redis)
    {
        using var process = Process.Start(ToolProcess.StartInfo("dotnet", args, directory, redirectInput: true))!;
        var stderr = process.StandardError.ReadToEndAsync();
        var lines = new List<string>();
        using var limit = new CancellationTokenSource(WalkTimeout);
        try
        {
            while (await process.StandardOutput.ReadLineAsync(limit.Token) is { } line)
            {
                lines.Add(line);
                output.WriteLine(line);
                if (line == OutageSignal)
                {
                    await redis.KillAsync();
                    await process.StandardInput.WriteLineAsync("go");
                    await process.StandardInput.FlushAsync();
                }
            }

            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"The walk ran longer than {WalkTimeout}:\n{string.Join('\n', lines)}");
        }

        var errors = await stderr;
        if (errors.Length > 0)
        {
            lines.Add($"stderr: {errors}");
        }

        return (process.ExitCode, lines);
    }
}
