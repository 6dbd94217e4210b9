using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Strata.Jobs;

namespace Strata.Dashboard.Tests;

/// <summary>A job whose error or result carries <see cref="HostileHandler.Markup"/>: with <paramref name="Fail"/> it dies at once.</summary>
public sealed record HostileJob(bool Fail);

/// <summary>Fails a <see cref="HostileJob"/> with the hostile markup as its error, or succeeds with it as its result.</summary>
public sealed class HostileHandler : IJobHandler<HostileJob>
{
    /// <summary>A script tag and a string that breaks out of an attribute into an element with an event handler.</summary>
    public const string Markup = "<script>alert(1)</script>\"><img src=x onerror=alert(1)>";

    private static readonly JsonTypeInfo<string> StringInfo = (JsonTypeInfo<string>)JsonSerializerOptions.Default.GetTypeInfo(typeof(string));

    public Task HandleAsync(HostileJob job, JobContext context)
    {
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(context);
        if (job.Fail)
        {
            throw new JobFailedException(Markup, retryable: false);
        }

        context.SetResult(Markup, StringInfo);
        return Task.CompletedTask;
    }
}
