namespace Strata.RateLimiting.Store;

/// <summary>
/// Thrown by a store that cannot decide (unreachable, timed out, failing); the policy's failure mode then decides.
/// Its message must never carry a secret (a password in a connection string, a partition's API key).
/// </summary>
public sealed class RateLimitStoreException : Exception
{
    /// <summary>Creates the exception.</summary>
    public RateLimitStoreException()
        : this("The rate-limit store cannot decide.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">Why the store cannot decide, without secrets.</param>
    public RateLimitStoreException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the failure that caused it.</summary>
    /// <param name="message">Why the store cannot decide, without secrets.</param>
    /// <param name="innerException">The failure.</param>
    public RateLimitStoreException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}
