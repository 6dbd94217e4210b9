using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Extensions.DependencyInjection;

namespace Strata.Jobs.Internal;

internal sealed class JobTypeRegistration<TJob>(string name, JsonTypeInfo<TJob>? typeInfo) : JobTypeRegistration(name)
{
    private JsonTypeInfo<TJob>? _typeInfo = typeInfo;

    public override Type JobType => typeof(TJob);

    public JsonTypeInfo<TJob> GetTypeInfo(JsonSerializerOptions options)
    {
        if (_typeInfo is null)
        {
            options.MakeReadOnly(populateMissingResolver: true);
            _typeInfo = (JsonTypeInfo<TJob>)options.GetTypeInfo(typeof(TJob));
        }

        return _typeInfo;
    }

    public string Serialize(TJob job, JsonSerializerOptions options) => JsonSerializer.Serialize(job, GetTypeInfo(options));

    public override object Deserialize(string payload, JsonSerializerOptions options) =>
        JsonSerializer.Deserialize(payload, GetTypeInfo(options))
        ?? throw new JsonException("The payload is JSON null.");

    public override Task InvokeAsync(IServiceProvider services, object job, JobContext context) =>
        services.GetRequiredService<IJobHandler<TJob>>().HandleAsync((TJob)job, context);
}
