using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace OrleansTrader.MarketData.Tests.Support;

/// <summary>Keeps every formatted log line (with its exception text) so tests can look for leaked secrets.</summary>
internal sealed class CapturingLogger : ILogger
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Lines.Enqueue($"{logLevel} {eventId.Id} {formatter(state, exception)} {exception}");
}
