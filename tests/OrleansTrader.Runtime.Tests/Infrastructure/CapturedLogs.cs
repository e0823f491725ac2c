using Microsoft.Extensions.Logging;

namespace OrleansTrader.Runtime.Tests;

/// <summary>Every log entry a silo writes (level, event id, formatted message), for tests that a condition is logged.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly Lock _gate = new();
    private readonly List<(LogLevel Level, int EventId, string Message)> _entries = [];

    public IReadOnlyList<(LogLevel Level, int EventId, string Message)> Entries
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries];
            }
        }
    }

    /// <summary>The messages logged with this event id.</summary>
    public IReadOnlyList<string> WithEventId(int eventId) => [.. Entries.Where(e => e.EventId == eventId).Select(e => e.Message)];

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private void Add(LogLevel level, int eventId, string message)
    {
        lock (_gate)
        {
            _entries.Add((level, eventId, message));
        }
    }

    private sealed class Logger(CapturedLogs owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Add(logLevel, eventId.Id, formatter(state, exception));
    }
}
