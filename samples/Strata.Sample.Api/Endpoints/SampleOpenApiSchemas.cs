using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Strata.Jobs;
using Strata.Sample.Ai;
using Strata.Sample.Api.Security;

namespace Strata.Sample.Api.Endpoints;

/// <summary>
/// The limits the endpoints enforce that no attribute can state, written into the OpenAPI document's schemas: the
/// configured longest document, the scopes a key may have, the states a job can be in, and rotation's overlap (read
/// as text by the endpoint so that a bad value gets a 400 that names it, but an integer of 0 to 43,200 to a client).
/// Lengths and ranges that are constants are attributes on the records themselves.
/// </summary>
internal static class SampleOpenApiSchemas
{
    public static OpenApiOptions DeclareSampleLimits(this OpenApiOptions options) => options.AddSchemaTransformer((schema, context, _) =>
    {
        if (context.ParameterDescription is { Name: "overlapMinutes" })
        {
            schema.Type = JsonSchemaType.Integer;
            schema.Format = "int32";
            schema.Minimum = "0";
            schema.Maximum = AdminKeyEndpoints.MaxOverlapMinutes.ToString(CultureInfo.InvariantCulture);
            schema.Default = JsonValue.Create(AdminKeyEndpoints.DefaultOverlapMinutes);
            schema.Description = "Minutes the old secret keeps working after the rotation.";
            return Task.CompletedTask;
        }

        switch (context.JsonPropertyInfo)
        {
            case { Name: "text" } property when property.DeclaringType == typeof(DocumentRequest):
                schema.MaxLength = context.ApplicationServices.GetRequiredService<DocumentRules>().MaxTextLength;
                break;
            case { Name: "scopes" } property when property.DeclaringType == typeof(CreateKeyRequest) && schema.Items is OpenApiSchema items:
                items.Enum = [.. SampleScopes.All.Select(scope => (JsonNode)scope)];
                break;
            case { Name: "state" } property when property.DeclaringType == typeof(JobStatus):
                schema.Enum = [.. Enum.GetValues<JobState>().Select(state => (JsonNode)JobStatus.StateName(state))];
                break;
        }

        return Task.CompletedTask;
    });
}
