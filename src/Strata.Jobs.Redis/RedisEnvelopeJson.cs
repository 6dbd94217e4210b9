using System.Text.Json.Serialization;
using Strata.Jobs.Backends;

namespace Strata.Jobs.Redis;

/// <summary>Source-generated JSON for envelopes in streams and sets (property names as declared: the Lua scripts read <c>Id</c>).</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(JobEnvelope))]
internal sealed partial class RedisEnvelopeJson : JsonSerializerContext;
