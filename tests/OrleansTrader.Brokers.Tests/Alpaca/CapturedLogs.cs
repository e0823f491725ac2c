using Microsoft.Extensions.Logging;

namespace OrleansTrader.Brokers.Tests.Alpaca;

/// <summary>Every log line at every level, with its exception text, for redaction and behaviour assertions.</summary>
public sealed class CapturedLogs : ILoggerProvider
{
    private readonly Lock _gate = new();
    private readonly List<(string Category, LogLevel Level, EventId EventId, string Text)> _entries = [];

    public IReadOnlyList<(string Category, LogLevel Level, EventId EventId, string Text)> Entries
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries];
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private void Add(string category, LogLevel level, EventId eventId, string text)
    {
        lock (_gate)
        {
            _entries.Add((category, level, eventId, text));
        }
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var properties = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(";", pairs.Select(p => $"{p.Key}={p.Value}")) : string.Empty;
            owner.Add(category, logLevel, eventId, $"{formatter(state, exception)} | {properties} | {exception}");
        }
    }
}
