using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Strata.Dashboard.BrowserTests.Infrastructure;

/// <summary>
/// Every log event of the sample host (name and message), and a way to wait for one: the events the host writes when
/// it sees a change (a queue paused on this host) are what a test waits for, instead of a pause of its own.
/// </summary>
public sealed class LogEvents : ILoggerProvider
{
    private readonly ConcurrentQueue<(string? Name, string Message)> _events = new();
    private readonly List<(Func<string?, string, bool> Match, TaskCompletionSource Seen)> _waiters = [];
    private readonly object _gate = new();

    /// <summary>
    /// Completes when an event named <paramref name="eventName"/> whose message contains <paramref name="text"/> is
    /// logged after this call; call it before the action that causes the event.
    /// </summary>
    public Task WaitForAsync(string eventName, string text)
    {
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _waiters.Add(((name, message) => name == eventName && message.Contains(text, StringComparison.Ordinal), seen));
        }

        return seen.Task.WaitAsync(BrowserHost.Timeout);
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private void Record(string? name, string message)
    {
        _events.Enqueue((name, message));
        lock (_gate)
        {
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(name, message))
                {
                    _waiters[i].Seen.TrySetResult();
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    private sealed class Logger(LogEvents events) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                events.Record(eventId.Name, formatter(state, exception));
            }
        }
    }
}
