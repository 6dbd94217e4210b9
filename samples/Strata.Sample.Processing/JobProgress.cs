using Strata.Jobs;

namespace Strata.Sample.Processing;

/// <summary>
/// Turns the analyzer's progress (a fraction in [0, 1]) into the job's progress (whole percent). Reports are sent one
/// after another in the order they came, only when the percentage changes; <see cref="FlushAsync"/> waits for the last
/// one and surfaces a failure to record it.
/// </summary>
internal sealed class JobProgress(JobContext context) : IProgress<double>
{
    private readonly Lock _gate = new();
    private Task _pending = Task.CompletedTask;
    private int _lastPercent = -1;

    public void Report(double value)
    {
        var percent = (int)Math.Round(Math.Clamp(double.IsNaN(value) ? 0 : value, 0, 1) * 100);
        lock (_gate)
        {
            if (percent == _lastPercent)
            {
                return;
            }

            _lastPercent = percent;
            _pending = SendAfterAsync(_pending, percent);
        }
    }

    public Task FlushAsync()
    {
        lock (_gate)
        {
            return _pending;
        }
    }

    private async Task SendAfterAsync(Task previous, int percent)
    {
        await previous.ConfigureAwait(false);
        await context.ReportProgressAsync(percent, percent >= 100 ? "analyzed" : "analyzing").ConfigureAwait(false);
    }
}
