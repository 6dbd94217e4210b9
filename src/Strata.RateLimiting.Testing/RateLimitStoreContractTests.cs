using System.Threading.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Strata.RateLimiting.Store;
using Xunit;

namespace Strata.RateLimiting.Testing;

/// <summary>
/// The behaviour every rate-limit store must show, through the public API only (dotnet/runtime's BaseRateLimiterTests
/// is the model). Derive from this class in your store's test project and make a fresh store per test in
/// <see cref="CreateStoreAsync"/>; every inherited fact then runs against it, twice over: decisions asked of the
/// store directly (<see cref="IRateLimitStore"/>), whose answers must be the in-process store's, and limiters made by
/// <see cref="IRateLimiterFactory"/> on a host whose store it is. Time starts at <see cref="Start"/> and moves only
/// with <see cref="AdvanceAsync"/>.
/// </summary>
public abstract partial class RateLimitStoreContractTests : IAsyncLifetime
{
    // A store on a clock of its own (Redis TIME) sees it move on during a test (milliseconds, more on a loaded
    // machine); durations are compared with this tolerance, and the tests' periods are long enough that it never
    // changes a count.
    private static readonly TimeSpan Tolerance = TimeSpan.FromSeconds(2);

    private static int s_policies;

    private readonly EventNameRecorder _log = new();
    private ServiceProvider? _services;
    private IRateLimitStore? _store;
    private IRateLimiterFactory? _limiters;

    /// <summary>Where every test starts: one second after a day boundary, so windows up to a day are aligned the same way on every store.</summary>
    protected static DateTimeOffset Start { get; } = new(2026, 1, 1, 0, 0, 1, TimeSpan.Zero);

    /// <summary>The node's clock (the limiters' host), at <see cref="Start"/> when a test begins; a store that takes its time from the node is given this one.</summary>
    protected FakeTimeProvider Time { get; } = new(Start);

    /// <summary>The store under test, made by <see cref="CreateStoreAsync"/> for this test.</summary>
    protected IRateLimitStore Store => _store ?? throw new InvalidOperationException("The store is made in InitializeAsync.");

    /// <summary>Makes the store, and a host's services with it chosen by <c>UseStore</c>.</summary>
    /// <returns>A task.</returns>
    public virtual async Task InitializeAsync()
    {
        var store = await CreateStoreAsync();
        _store = store;
        var services = new ServiceCollection();
        services.AddLogging(logging => logging.AddProvider(_log));
        services.AddSingleton<TimeProvider>(Time);
        services.AddStrataRateLimiting()
            .UseStore(_ => store, _ => new DistributedStoreSettings { FailureThreshold = 3, BreakDuration = TimeSpan.FromSeconds(5) });
        _services = services.BuildServiceProvider();
        _limiters = _services.GetRequiredService<IRateLimiterFactory>();
    }

    /// <summary>Disposes the host's services (and with them the store, when the services own it).</summary>
    /// <returns>A task.</returns>
    public virtual async Task DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
    }

    /// <summary>
    /// Makes the store under test, with no state: a key prefix (or database, or table) of this test's own. Its clock
    /// must read <see cref="Start"/> now (give an in-process store <see cref="Time"/>; offset a store's own clock).
    /// </summary>
    /// <returns>The store.</returns>
    protected abstract Task<IRateLimitStore> CreateStoreAsync();

    /// <summary>Moves time forward for the node (<see cref="Time"/>) and the store: override it to move a store's own clock too, then call this.</summary>
    /// <param name="by">How far.</param>
    /// <returns>A task.</returns>
    protected virtual Task AdvanceAsync(TimeSpan by)
    {
        Time.Advance(by);
        return Task.CompletedTask;
    }

    /// <summary>A policy name no other test uses, so that tests on one store never share state.</summary>
    /// <returns>The name.</returns>
    protected static string NewPolicyName() => "policy" + Interlocked.Increment(ref s_policies);

    /// <summary>A limiter on the store under test that fails closed, so that a store error can never pass for a decision.</summary>
    /// <param name="rule">The limit.</param>
    /// <param name="partition">The partition key.</param>
    /// <param name="configure">Changes the policy options after fail-closed is set.</param>
    /// <param name="policy">The policy's name; a new one when null.</param>
    /// <returns>The limiter; dispose it.</returns>
    protected RateLimiter Limiter(RateLimitRule rule, string partition = "p", Action<RateLimitPolicyOptions>? configure = null, string? policy = null)
    {
        var limiters = _limiters ?? throw new InvalidOperationException("The limiters are made in InitializeAsync.");
        return limiters.CreateLimiter(policy ?? NewPolicyName(), partition, rule, o =>
        {
            o.FailureMode = RateLimitFailureMode.FailClosed;
            configure?.Invoke(o);
        });
    }

    private static void AssertClose(TimeSpan expected, TimeSpan actual, string what) =>
        Assert.True((actual - expected).Duration() <= Tolerance, $"{what}: expected {expected} (within {Tolerance}), was {actual}");

    private static void AssertCloseMicros(TimeSpan expected, long actualMicros, string what) =>
        AssertClose(expected, TimeSpan.FromTicks(actualMicros * 10), what);
}
