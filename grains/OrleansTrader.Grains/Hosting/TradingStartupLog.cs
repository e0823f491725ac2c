using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OrleansTrader.Grains.Hosting;

/// <summary>Logs what this silo runs: storage, feed, calendar (with a clear note when the session is simulated) and demo.</summary>
internal sealed partial class TradingStartupLog(ILogger<TradingStartupLog> logger, string storage, string feed, bool simulatedSession, string demo)
    : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        LogRunning(logger, storage, feed, demo);
        if (simulatedSession)
        {
            LogSimulated(logger);
        }
        else
        {
            LogNyse(logger);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 5701, Level = LogLevel.Information, Message = "Trading silo: storage {Storage}; feed {Feed}; broker paper; demo {Demo}")]
    private static partial void LogRunning(ILogger logger, string storage, string feed, string demo);

    [LoggerMessage(EventId = 5702, Level = LogLevel.Warning,
        Message = "SIMULATION: the trading session is always open (AlwaysOpenCalendar); prices are simulated and orders go to the paper exchange")]
    private static partial void LogSimulated(ILogger logger);

    [LoggerMessage(EventId = 5703, Level = LogLevel.Information, Message = "Trading calendar: NYSE sessions, holidays and early closes")]
    private static partial void LogNyse(ILogger logger);
}
