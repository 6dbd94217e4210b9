namespace Strata.Jobs;

/// <summary>
/// Thrown by a handler to fail an attempt with a message that is safe to show to the caller
/// (other exceptions are summarised by type only, see <see cref="JobsOptions.DescribeError"/>).
/// </summary>
public sealed class JobFailedException : Exception
{
    /// <summary>Creates the exception with a caller-safe message.</summary>
    public JobFailedException()
        : this("The job failed.")
    {
    }

    /// <summary>Creates the exception with a caller-safe message.</summary>
    public JobFailedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a caller-safe message and the cause (the cause is logged, not shown).</summary>
    public JobFailedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception; when <paramref name="retryable"/> is false the job goes to the dead-letter queue without more attempts.</summary>
    public JobFailedException(string message, bool retryable)
        : base(message)
    {
        Retryable = retryable;
    }

    /// <summary>False when retrying cannot help (the job is dead-lettered at once).</summary>
    /// <value>Defaults to true.</value>
    public bool Retryable { get; } = true;
}
