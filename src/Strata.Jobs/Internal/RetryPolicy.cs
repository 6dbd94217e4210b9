using Microsoft.Extensions.Logging;
using Strata.Jobs.Backends;

namespace Strata.Jobs.Internal;

/// <summary>
/// What the workers do with a failed attempt: whether it is retried, after how long (exponential backoff with
/// jitter), and the error summary the job's status shows.
/// </summary>
internal sealed class RetryPolicy(JobsOptions options, ILogger logger)
{
    /// <summary>True when the failure may be retried and the job has attempts left.</summary>
    public bool ShouldRetry(Exception failure, JobEnvelope envelope) =>
        failure is not JobFailedException { Retryable: false }
        && (options.RetryOn?.Invoke(failure) ?? true)
        && envelope.Attempt < envelope.MaxAttempts;

    /// <summary>Exponential backoff with jitter: base × 2^(attempt−1), capped, then spread by ±jitter.</summary>
    public TimeSpan Delay(int failedAttempt)
    {
        var nominal = options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failedAttempt - 1, 30));
        var capped = Math.Min(nominal, options.RetryMaxDelay.TotalMilliseconds);
        var spread = 1 - options.RetryJitter + (2 * options.RetryJitter * Random.Shared.NextDouble());
        return TimeSpan.FromMilliseconds(Math.Min(capped * spread, options.RetryMaxDelay.TotalMilliseconds));
    }

    /// <summary>The error summary for the job's status: <see cref="JobsOptions.DescribeError"/>, else a safe default.</summary>
    public string Describe(Exception failure)
    {
        if (options.DescribeError is { } describe)
        {
            try
            {
                return describe(failure);
            }
            catch (Exception ex)
            {
                JobsLog.DescribeFailed(logger, ex);
            }
        }

        return failure is JobFailedException ? failure.Message : $"The handler failed with {failure.GetType().Name}.";
    }
}
