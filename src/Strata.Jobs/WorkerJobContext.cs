using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Strata.Jobs;

internal sealed class WorkerJobContext(
    JobEnvelope envelope,
    CancellationToken cancellationToken,
    IJobBackend backend,
    JobDelivery delivery,
    JsonSerializerOptions serializerOptions) : JobContext
{
    public override string JobId => envelope.Id;

    public override string JobType => envelope.JobType;

    public override string Queue => envelope.Queue;

    public override int Attempt => envelope.Attempt;

    public override int MaxAttempts => envelope.MaxAttempts;

    public override string? Owner => envelope.Owner;

    public override CancellationToken CancellationToken => cancellationToken;

    public string? ResultJson { get; private set; }

    public override ValueTask ReportProgressAsync(int percent, string? message = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(percent);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        if (message is { Length: > 1024 })
        {
            message = message[..1024];
        }

        return backend.ReportProgressAsync(delivery, percent, message, cancellationToken);
    }

    public override void SetResult<TResult>(TResult result, JsonTypeInfo<TResult> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        ResultJson = JsonSerializer.Serialize(result, typeInfo);
    }

    public override void SetResult<TResult>(TResult result)
    {
        serializerOptions.MakeReadOnly(populateMissingResolver: true);
        ResultJson = JsonSerializer.Serialize(result, (JsonTypeInfo<TResult>)serializerOptions.GetTypeInfo(typeof(TResult)));
    }
}
