namespace Strata.Dashboard.Internal.Health;

/// <summary>
/// A store whose health the overview shows. Registered as an enumerable singleton in <c>AddStrataDashboard</c>
/// (<c>TryAddEnumerable</c>); the overview asks each, in parallel and within <see cref="HealthSection.Timeout"/>.
/// Another package's store (the rate limiter's, for one) joins the overview with one class and one registration line.
/// </summary>
internal interface IDashboardHealthSource
{
    /// <summary>
    /// Reads the store's health, or returns null when the host did not register the package this source reads. May
    /// throw or hang: the overview turns that into an unhealthy reading.
    /// </summary>
    /// <param name="services">The request's services.</param>
    /// <param name="cancellationToken">Cancelled at the timeout or when the request ends.</param>
    /// <returns>The reading, or null.</returns>
    ValueTask<HealthReading?> ReadAsync(IServiceProvider services, CancellationToken cancellationToken);

    /// <summary>What the overview names the store when reading it failed ("Job store").</summary>
    string Name { get; }
}
