using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Strata.RateLimiting.Testing;

/// <summary>Records the event name of every log entry written through it: how a test sees what the runtime logged, through the public logging API.</summary>
internal sealed class EventNameRecorder : ILoggerProvider, ILogger
{
    public ConcurrentQueue<string> EventNames { get; } = new();

    public ILogger CreateLogger(string categoryName) => this;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (eventId.Name is { } name)
        {
            EventNames.Enqueue(name);
        }
    }

    public void Dispose()
    {
    }
}
