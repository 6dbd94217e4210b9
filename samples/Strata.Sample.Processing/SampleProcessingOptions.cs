using System.ComponentModel.DataAnnotations;

namespace Strata.Sample.Processing;

/// <summary>The processing layer's own settings (section <c>Processing</c>), validated on start.</summary>
public sealed class SampleProcessingOptions
{
    public const string SectionName = "Processing";

    /// <summary>
    /// Fault injection for the reliability tests, off (zero) by default: after a job's analysis is saved, wait this long
    /// before the job completes. A worker killed in that window leaves a stored analysis for a job the queue still
    /// holds, so the job runs again elsewhere and the handler's idempotency (one analysis per job id) is put to the test.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan PauseAfterSave { get; set; } = TimeSpan.Zero;
}
