using System.Globalization;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Strata.Redis;

namespace Strata.Jobs.Redis;

/// <summary>
/// Whether Redis is out of reach for this host. The multiplexer says so itself (<c>IsConnected</c> false: no server
/// connected), and its <c>ConnectionFailed</c> / <c>ConnectionRestored</c> events say when that changes. While an
/// outage lasts, request-path calls fail at once without sending anything (<see cref="ThrowIfDown"/>), and background
/// loops wait for its end (<see cref="WaitUntilUpAsync"/>) instead of failing on every turn. One warning is logged when
/// an outage starts and one information line, with its duration, when it ends.
/// </summary>
/// <remarks>
/// The end is event-driven (<c>ConnectionRestored</c>); a check of <c>IsConnected</c> with a capped backoff
/// (<see cref="FirstCheck"/> doubling up to <see cref="MaxCheck"/>) is the fallback should an event be missed.
/// </remarks>
internal sealed partial class RedisOutage : IDisposable
{
    /// <summary>The first fallback check of the connection after an outage starts.</summary>
    internal static readonly TimeSpan FirstCheck = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest wait between two fallback checks.</summary>
    internal static readonly TimeSpan MaxCheck = TimeSpan.FromSeconds(10);

    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly CancellationTokenSource _disposed = new();
    private IConnectionMultiplexer? _connection;
    private TaskCompletionSource? _ended;
    private DateTimeOffset _since;
    private long _startedAt;
    private string _cause = string.Empty;
    private string? _lastFailure;
    private volatile bool _firstConnectSlow;

    public RedisOutage(TimeProvider time, ILogger<RedisOutage> logger)
    {
        _time = time;
        _logger = logger;
    }

    /// <summary>
    /// True while an outage is known: no Redis server connected, or the first connection still being made after the
    /// wait a request allows (a host started while Redis is down can take the client's timeouts to get a multiplexer).
    /// </summary>
    public bool IsDown =>
        (_connection is { IsConnected: false } || (_connection is null && _firstConnectSlow)) && !_disposed.IsCancellationRequested;

    /// <summary>The first connection to <paramref name="endpoints"/> takes longer than a request waits: an outage starts.</summary>
    public void FirstConnectIsSlow(string endpoints)
    {
        _firstConnectSlow = true;
        Begin("still connecting to " + endpoints);
    }

    /// <summary>Starts following <paramref name="connection"/>; an outage starts at once if it is not connected (a host started while Redis is down).</summary>
    public void Attach(IConnectionMultiplexer connection)
    {
        lock (_gate)
        {
            if (_connection is not null)
            {
                return;
            }

            _connection = connection;
        }

        connection.ConnectionFailed += OnConnectionFailed;
        connection.ConnectionRestored += OnConnectionRestored;
        if (!connection.IsConnected)
        {
            Begin("no connection to " + EndPoints(connection));
        }
        else
        {
            TryEnd();   // an outage begun while the first connection was being made ends here
        }
    }

    /// <summary>Throws a <see cref="RedisConnectionException"/> at once, nothing sent, while no Redis server is connected.</summary>
    public void ThrowIfDown()
    {
        if (Describe() is not null)
        {
            throw new RedisConnectionException(
                ConnectionFailureType.UnableToConnect,
                $"Redis is out of reach (since {_since.ToString("u", CultureInfo.InvariantCulture)}, {_cause}): the job store is unavailable; the command was not sent.");
        }
    }

    /// <summary>Null while Redis is connected; else what is out of reach, since when, and what that means (the health check's reason).</summary>
    public string? Describe()
    {
        if (!IsDown)
        {
            return null;
        }

        Begin(_lastFailure ?? "no connection");
        return $"Redis is out of reach since {_since.ToString("u", CultureInfo.InvariantCulture)} ({_cause}): job submit, status and cancel answer 503 and the workers wait until it is back.";
    }

    /// <summary>
    /// True when <paramref name="exception"/> is Redis being out of reach (a connection or timeout failure while no server
    /// is connected): the outage is then logged once, here, and the caller waits for its end without logging. False for
    /// any other failure, which the caller reports as before.
    /// </summary>
    public bool Absorb(Exception exception)
    {
        if (exception is not (RedisConnectionException or RedisTimeoutException or ObjectDisposedException) || !IsDown)
        {
            return false;
        }

        Begin(_lastFailure ?? exception.GetType().Name);
        return true;
    }

    /// <summary>Completes at once while Redis is connected, else when the outage ends.</summary>
    public Task WaitUntilUpAsync(CancellationToken cancellationToken)
    {
        if (!IsDown)
        {
            return Task.CompletedTask;
        }

        var ended = Begin(_lastFailure ?? "no connection");
        return ended.WaitAsync(cancellationToken);
    }

    public void Dispose()
    {
        IConnectionMultiplexer? connection;
        TaskCompletionSource? ended;
        lock (_gate)
        {
            if (_disposed.IsCancellationRequested)
            {
                return;
            }

            _disposed.Cancel();
            connection = _connection;
            ended = _ended;
            _ended = null;
        }

        if (connection is not null)
        {
            connection.ConnectionFailed -= OnConnectionFailed;
            connection.ConnectionRestored -= OnConnectionRestored;
        }

        // Lets waiters go (the host is stopping); they find their own tokens cancelled.
        ended?.TrySetResult();
        _disposed.Dispose();
    }

    /// <summary>The servers, as <c>host:port, ...</c> (never a configuration string: it may hold a password).</summary>
    private static string EndPoints(IConnectionMultiplexer connection) => RedisConnectionSource.Join(connection.GetEndPoints());

    private void OnConnectionFailed(object? sender, ConnectionFailedEventArgs e)
    {
        if (e.ConnectionType != ConnectionType.Interactive || e.FailureType == ConnectionFailureType.ConnectionDisposed)
        {
            // Subscriptions alone do not make the store unreachable; a disposed multiplexer is the host stopping.
            return;
        }

        // Endpoint and failure type only: the exception's message may quote the configuration.
        _lastFailure = $"{e.FailureType} on {EndPointCollection.ToString(e.EndPoint)}";
        if (IsDown)
        {
            Begin(_lastFailure);
        }
    }

    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e) => TryEnd();

    /// <summary>Starts an outage unless one is running; returns the task that completes when it ends.</summary>
    private Task Begin(string cause)
    {
        TaskCompletionSource ended;
        CancellationToken disposed;
        lock (_gate)
        {
            if (_ended is { } running)
            {
                return running.Task;
            }

            if (_disposed.IsCancellationRequested)
            {
                return Task.CompletedTask;
            }

            ended = _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
            _since = _time.GetUtcNow();
            _startedAt = _time.GetTimestamp();
            _cause = cause;
            disposed = _disposed.Token;
        }

        RedisJobsLog.OutageStarted(_logger, cause);
        _ = WatchAsync(ended.Task, disposed);
        return ended.Task;
    }

    /// <summary>Ends the outage if a server is connected again.</summary>
    private void TryEnd()
    {
        TaskCompletionSource ended;
        TimeSpan duration;
        lock (_gate)
        {
            if (_ended is null || IsDown || _disposed.IsCancellationRequested)
            {
                return;
            }

            ended = _ended;
            _ended = null;
            duration = _time.GetElapsedTime(_startedAt);
        }

        RedisJobsLog.OutageEnded(_logger, duration);
        ended.TrySetResult();
    }

    /// <summary>The fallback should <c>ConnectionRestored</c> be missed: checks <c>IsConnected</c> with a capped backoff.</summary>
    private async Task WatchAsync(Task ended, CancellationToken disposed)
    {
        var delay = FirstCheck;
        try
        {
            while (!ended.IsCompleted)
            {
                await Task.WhenAny(ended, Task.Delay(delay, _time, disposed)).ConfigureAwait(false);
                disposed.ThrowIfCancellationRequested();
                TryEnd();
                delay = delay * 2 < MaxCheck ? delay * 2 : MaxCheck;
                if (!ended.IsCompleted)
                {
                    RedisJobsLog.StillDown(_logger, _time.GetElapsedTime(_startedAt), delay);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The host is stopping.
        }
    }
}
