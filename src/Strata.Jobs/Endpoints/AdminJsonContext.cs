using System.Text.Json;
using System.Text.Json.Serialization;

namespace Strata.Jobs;

/// <summary>Source-generated serializer metadata for what the admin endpoints write (the app's JSON options play no part).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AdminJobView))]
[JsonSerializable(typeof(AdminJobPage))]
[JsonSerializable(typeof(AdminStateCount[]))]
[JsonSerializable(typeof(AdminQueueView[]))]
[JsonSerializable(typeof(AdminCountResult))]
internal sealed partial class AdminJsonContext : JsonSerializerContext;
