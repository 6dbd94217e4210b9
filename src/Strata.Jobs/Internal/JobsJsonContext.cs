using System.Text.Json;
using System.Text.Json.Serialization;

namespace Strata.Jobs.Internal;

/// <summary>Source-generated serializer metadata for what the endpoints write.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(JobInfo))]
internal sealed partial class JobsJsonContext : JsonSerializerContext;
