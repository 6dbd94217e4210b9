using System.Text.Json;
using System.Text.Json.Serialization;

namespace Strata.Jobs.Internal;

/// <summary>Source-generated serializer metadata for stored schedules and what the recurring-job routes write.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RecurringSchedule))]
[JsonSerializable(typeof(RecurringJobInfo))]
[JsonSerializable(typeof(IReadOnlyList<RecurringJobInfo>))]
internal sealed partial class RecurringJsonContext : JsonSerializerContext;
