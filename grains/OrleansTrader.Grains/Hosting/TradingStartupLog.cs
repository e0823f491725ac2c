using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OrleansTrader.Grains.Hosting;

/// <summary>Logs what this silo runs: storage, feed, brokers, calendar (with a clear note when the session is simulated) and
/// demo, and warns when the demo's symbol is not fed (its strategy would never trade).</summary>
internal sealed partial class TradingStartupLog(
    ILogger<TradingStartupLog> logger, string storage, string feed, string brokers, bool simulatedSession, string demo, TradingStartupLog.DemoSymbolNotFed? demoSymbolNotFed)
    : IHostedService
{
    /// <summary>The demo's symbol and the symbols the feed delivers, when the former is not among the latter.</summary>
    internal sealed record DemoSymbolNotFed(string Symbol, string FedSymbols);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        LogRunning(logger, storage, feed, brokers, demo);
        if (demoSymbolNotFed is not null)
        {
            LogDemoSymbolNotFed(logger, demoSymbolNotFed.Symbol, demoSymbolNotFed.FedSymbols);
        }

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

    [LoggerMessage(EventId = 5901, Level = LogLevel.Information, Message = "Trading silo: storage {Storage}; feed {Feed}; brokers {Brokers}; demo {Demo}")]
    private static partial void LogRunning(ILogger logger, string storage, string feed, string brokers, string demo);

    [LoggerMessage(EventId = 5904, Level = LogLevel.Warning,
        Message = "Demo:Symbol {Symbol} is not among the fed symbols (Feed:Symbols: {FedSymbols}): the demo strategy will never trade. " +
            "Set Demo:Symbol to one of them or add it to Feed:Symbols")]
    private static partial void LogDemoSymbolNotFed(ILogger logger, string symbol, string fedSymbols);

    [LoggerMessage(EventId = 5902, Level = LogLevel.Warning,
        Message = "SIMULATION: the trading session is always open (AlwaysOpenCalendar): accounts trade around the clock and their days roll at UTC midnight; set Calendar:Kind=nyse for NYSE's sessions")]
    private static partial void LogSimulated(ILogger logger);

    [LoggerMessage(EventId = 5903, Level = LogLevel.Information, Message = "Trading calendar: NYSE sessions, holidays and early closes")]
    private static partial void LogNyse(ILogger logger);
}
