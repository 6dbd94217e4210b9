using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;

namespace Strata.Sample.Api.Tests.Infrastructure.Contract;

/// <summary>
/// Checks a <see cref="RecordedResponse"/> against an OpenAPI 3.1 document: the operation (the path template that
/// matches, and the method), the status (exact, <c>4XX</c> or <c>default</c>), each declared header (present when
/// required, its value valid against its schema), headers sent but not declared, the media type and the body against
/// the response schema (JsonSchema.Net, draft 2020-12, which OpenAPI 3.1 schemas are). Which mismatches may pass for
/// now is up to <see cref="ContractAllowances"/>.
/// </summary>
public sealed class OpenApiContract
{
    /// <summary>Headers of the transport, not of the contract: never reported as undeclared.</summary>
    private static readonly HashSet<string> TransportHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Date", "Server", "Content-Type", "Content-Length", "Transfer-Encoding", "Connection", "Keep-Alive",
    };

    /// <summary>Formats are checked too (date-time, uuid, ...); one the validator does not know passes.</summary>
    private static readonly EvaluationOptions Evaluation = new() { OutputFormat = OutputFormat.List, RequireFormatValidation = true };

    private readonly object _gate = new();   // JsonNode materializes lazily: one check at a time

    private readonly JsonObject _document;
    private readonly List<(Regex Pattern, string Template, JsonObject Item)> _paths;
    private readonly ConcurrentDictionary<string, JsonSchema> _schemas = new();

    public OpenApiContract(string document)
    {
        _document = JsonNode.Parse(document)?.AsObject() ?? throw new ArgumentException("The document is empty.", nameof(document));
        _paths = (_document["paths"]?.AsObject() ?? [])
            .OrderBy(path => path.Key.Count(c => c == '{'))   // literal segments win over parameters
            .Select(path => (PathPattern(path.Key), path.Key, path.Value!.AsObject()))
            .ToList();
    }

    /// <summary>Every way <paramref name="response"/> differs from the document, allowed or not.</summary>
    public IReadOnlyList<ContractMismatch> Check(RecordedResponse response)
    {
        lock (_gate)
        {
            return CheckOne(response);
        }
    }

    private List<ContractMismatch> CheckOne(RecordedResponse response)
    {
        var mismatches = new List<ContractMismatch>();
        var status = response.Status.ToString(CultureInfo.InvariantCulture);
        var (_, template, item) = _paths.FirstOrDefault(path => path.Pattern.IsMatch(response.Path));
        if (item is null)
        {
            mismatches.Add(response.Status == 404
                ? new(response.ToString(), response.Status, "unknown-route 404", "the path is not in the document (the answer to an unknown route)")
                : new(response.ToString(), response.Status, $"path {response.Path}", "the path is not in the document"));
            return mismatches;
        }

        if (item[response.Method.ToLowerInvariant()] is not JsonObject operation)
        {
            var name = $"{response.Method} {template}";
            mismatches.Add(new(name, response.Status, $"operation {name}", "the method is not declared for this path"));
            return mismatches;
        }

        var operationName = operation["operationId"]?.GetValue<string>() ?? $"{response.Method} {template}";
        var responses = operation["responses"]?.AsObject() ?? [];
        var declared = responses[status] ?? responses[$"{status[0]}XX"] ?? responses["default"];
        if (declared is null)
        {
            mismatches.Add(new(operationName, response.Status, $"status {operationName} {status}",
                $"the status is not declared (declared: {string.Join(", ", responses.Select(r => r.Key))})"));
            return mismatches;
        }

        var declaration = Resolve(declared).AsObject();
        CheckHeaders(operationName, response, declaration, mismatches);
        CheckBody(operationName, response, declaration, mismatches);
        return mismatches;
    }

    private void CheckHeaders(string operation, RecordedResponse response, JsonObject declaration, List<ContractMismatch> mismatches)
    {
        var declaredHeaders = declaration["headers"]?.AsObject() ?? [];
        foreach (var (name, node) in declaredHeaders)
        {
            var header = Resolve(node!).AsObject();
            if (!response.Headers.TryGetValue(name, out var values))
            {
                if (header["required"]?.GetValue<bool>() == true)
                {
                    mismatches.Add(new(operation, response.Status, $"missing-header {operation} {response.Status} {name}", $"the required header {name} is missing"));
                }

                continue;
            }

            if (header["schema"] is { } schema)
            {
                foreach (var value in values)
                {
                    if (Invalid(schema, HeaderValue(value, schema)) is { } error)
                    {
                        mismatches.Add(new(operation, response.Status, $"header-value {operation} {response.Status} {name}", $"the header {name}: {value} does not match its schema: {error}"));
                    }
                }
            }
        }

        foreach (var name in response.Headers.Keys.Where(name => !TransportHeaders.Contains(name)))
        {
            if (!declaredHeaders.Any(header => string.Equals(header.Key, name, StringComparison.OrdinalIgnoreCase)))
            {
                mismatches.Add(new(operation, response.Status, $"header {name}", $"the header {name} is sent but not declared"));
            }
        }
    }

    private void CheckBody(string operation, RecordedResponse response, JsonObject declaration, List<ContractMismatch> mismatches)
    {
        var content = declaration["content"]?.AsObject() ?? [];
        var allowance = $"body {operation} {response.Status}";
        if (response.MediaType is null)
        {
            if (content.Count > 0 && response.Method != "HEAD")
            {
                mismatches.Add(new(operation, response.Status, allowance, $"no body, where the document declares {string.Join(", ", content.Select(c => c.Key))}"));
            }

            return;
        }

        if (content[response.MediaType] is not { } media)
        {
            var declared = content.Count == 0 ? "no body" : string.Join(", ", content.Select(c => c.Key));
            mismatches.Add(new(operation, response.Status, allowance, $"a body of {response.MediaType}, where the document declares {declared}"));
            return;
        }

        if (media["schema"] is not { } schema || response.Body is null)
        {
            return;
        }

        JsonNode? instance;
        try
        {
            instance = JsonNode.Parse(response.Body);
        }
        catch (JsonException exception)
        {
            mismatches.Add(new(operation, response.Status, allowance, $"the body is not JSON: {exception.Message}"));
            return;
        }

        if (Invalid(schema, instance) is { } error)
        {
            mismatches.Add(new(operation, response.Status, allowance, $"the body does not match its schema: {error}; body: {Shorten(response.Body)}"));
        }
    }

    /// <summary>Null when <paramref name="instance"/> is valid against <paramref name="schema"/>, else the errors.</summary>
    private string? Invalid(JsonNode schema, JsonNode? instance)
    {
        var results = Compile(schema).Evaluate(instance, Evaluation);
        if (results.IsValid)
        {
            return null;
        }

        var errors = results.Details
            .Where(detail => detail.Errors is { Count: > 0 })
            .SelectMany(detail => detail.Errors!.Select(error => $"{detail.InstanceLocation} {error.Key}: {error.Value}"))
            .Distinct()
            .ToList();
        return errors.Count == 0 ? "invalid" : string.Join("; ", errors);
    }

    /// <summary>The schema with the document's components.schemas as $defs, so its $refs resolve.</summary>
    private JsonSchema Compile(JsonNode schema) => _schemas.GetOrAdd(schema.ToJsonString(), text =>
    {
        var root = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$defs"] = _document["components"]?["schemas"]?.DeepClone() ?? new JsonObject(),
            ["allOf"] = new JsonArray(JsonNode.Parse(text)),
        };
        return JsonSchema.FromText(root.ToJsonString().Replace("#/components/schemas/", "#/$defs/", StringComparison.Ordinal));
    });

    /// <summary>A header's text as the JSON value its schema describes (a number or boolean where it says so).</summary>
    private static JsonNode? HeaderValue(string value, JsonNode schema)
    {
        var types = schema["type"] switch
        {
            JsonArray array => array.Select(type => type?.GetValue<string>()).ToList(),
            JsonValue type => [type.GetValue<string>()],
            _ => [],
        };
        if ((types.Contains("integer") || types.Contains("number")) && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole))
        {
            return JsonValue.Create(whole);
        }

        if ((types.Contains("integer") || types.Contains("number"))
            && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
        {
            return JsonValue.Create(number);
        }

        return types.Contains("boolean") && bool.TryParse(value, out var flag) ? JsonValue.Create(flag) : JsonValue.Create(value);
    }

    /// <summary>Follows a local <c>$ref</c> (components.responses, components.headers).</summary>
    private JsonNode Resolve(JsonNode node)
    {
        while (node is JsonObject { } reference && reference["$ref"]?.GetValue<string>() is { } pointer)
        {
            JsonNode? target = _document;
            foreach (var part in pointer.TrimStart('#', '/').Split('/'))
            {
                target = target?[part.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)];
            }

            node = target ?? throw new InvalidOperationException($"The document has no {pointer}.");
        }

        return node;
    }

    private static Regex PathPattern(string template)
        => new("^" + Regex.Replace(Regex.Escape(template), @"\\\{[^}]*}", "[^/]+") + "$", RegexOptions.CultureInvariant);

    private static string Shorten(string body) => body.Length <= 300 ? body : body[..300] + "...";
}
