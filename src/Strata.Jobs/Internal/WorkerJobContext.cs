using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Strata.Jobs.Backends;

namespace Strata.Jobs.Internal;

/// <summary>
/// The context of one running attempt. Its cancellation token source is made only when the handler asks for the
/// token (most handlers that finish at once never do); a cancel request that comes earlier is remembered and
/// applied when the source is made.
/// </summary>
internal sealed class WorkerJobContext(
    JobDelivery delivery,
    IJobBackend backend,
    JsonSerializerOptions serializerOptions,
    CancellationToken shutdown,
    CancellationToken timeout) : JobContext, IDisposable
{
    private readonly JobEnvelope _envelope = delivery.Envelope;
    private CancellationTokenSource? _source;
    private int _cancelRequested;

    public override string JobId => _envelope.Id;

    public override string JobType => _envelope.JobType;

    public override string Queue => _envelope.Queue;

    public override int Attempt => _envelope.Attempt;

    public override int MaxAttempts => _envelope.MaxAttempts;

    public override string? Owner => _envelope.Owner;

    public override CancellationToken CancellationToken => (Volatile.Read(ref _source) ?? CreateSource()).Token;

    /// <summary>True once cancellation of this job was requested (by <see cref="IJobQueue.CancelAsync"/>).</summary>
    public bool CancelRequested => Volatile.Read(ref _cancelRequested) == 1;

    public string? ResultJson { get; private set; }

    /// <summary>The context's entry in <see cref="RunningJobs"/> while it runs; -1 otherwise.</summary>
    public int RunningIndex { get; set; } = -1;

    public void RequestCancel()
    {
        if (Interlocked.Exchange(ref _cancelRequested, 1) == 0 && Volatile.Read(ref _source) is { } source)
        {
            Cancel(source);
        }
    }

    public override ValueTask ReportProgressAsync(int percent, string? message = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(percent);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(percent, 100);
        if (message is { Length: > 1024 })
        {
            message = message[..1024];
        }

        return backend.ReportProgressAsync(delivery, percent, message, CancellationToken);
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

    public void Dispose() => Volatile.Read(ref _source)?.Dispose();

    private static void Cancel(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The attempt ended meanwhile.
        }
    }

    private CancellationTokenSource CreateSource()
    {
        var source = timeout.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(shutdown, timeout)
            : CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        var existing = Interlocked.CompareExchange(ref _source, source, null);
        if (existing is not null)
        {
            source.Dispose();
            return existing;
        }

        // A cancel request that came before the token existed.
        if (Volatile.Read(ref _cancelRequested) == 1)
        {
            Cancel(source);
        }

        return source;
    }
}
