using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Strategies;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.MarketData.Csv;

namespace OrleansTrader.Grains.Tests;

/// <summary>Backtests over the shared sample's real files: the same report twice, and money that adds up from its trades.</summary>
public sealed class BacktestSharedDataTests
{
    /// <summary>The figures docs/api.md gives for these runs ("Backtests"), on the default always-open calendar.</summary>
    [Theory]
    [InlineData("1d", "2010-01-01T00:00:00Z", "2021-01-01T00:00:00Z", "50", "200", 0, 2_769, 11, 5, 14_487.00)]
    [InlineData("1m", null, "2013-10-12T00:00:00Z", "10", "30", 0, 1_000, 38, 19, 51.55)]
    [InlineData("1m", null, "2013-10-12T00:00:00Z", "10", "30", 2, 1_000, 38, 19, -77.26)]
    public async Task ABacktestOnTheSharedFiles_AnswersTheSameReportTwice_AndItsMoneyAddsUpFromItsTrades(
        string interval, string? start, string end, string fast, string slow, int slippageBps, int bars, int fills, int roundTrips, double netPnl)
    {
        var data = MarketDataLocator.Find();
        Assert.SkipWhen(data is null, "The shared market data was not found (set ORLEANSTRADER_MARKET_DATA).");
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo => silo.Services.Configure<BacktestFilesOptions>(o => o.DataPath = data),
        });
        var barInterval = interval == "1d" ? TimeSpan.FromDays(1) : TimeSpan.FromMinutes(1);
        var command = new RunBacktest
        {
            Kind = StrategyKinds.SmaCrossover,
            Symbols = ["SPY"],
            Parameters = new Dictionary<string, string> { ["quantity"] = "100", ["fastPeriod"] = fast, ["slowPeriod"] = slow },
            Source = BacktestSource.Files,
            BarInterval = barInterval,
            Bars = start is null ? 1_000 : RunBacktest.MaxFileBars,
            Start = start is null ? null : DateTimeOffset.Parse(start, System.Globalization.CultureInfo.InvariantCulture),
            End = DateTimeOffset.Parse(end, System.Globalization.CultureInfo.InvariantCulture),
            SlippageBps = slippageBps,
        };

        var first = await cluster.Grains.GetGrain<IBacktestGrain>(0).RunAsync(command);
        var second = await cluster.Grains.GetGrain<IBacktestGrain>(0).RunAsync(command);

        Assert.True(first.Succeeded, first.Message);
        var report = first.Report!;
        Assert.Equal(JsonSerializer.Serialize(report), JsonSerializer.Serialize(second.Report));
        Assert.Equal((bars, fills, roundTrips, (decimal)netPnl),
            (Assert.Single(report.Symbols).Bars, report.Fills, report.RoundTrips.Count, Math.Round(report.NetPnl, 2, MidpointRounding.AwayFromZero)));

        // Cash from the trades: each closed trade's P&L, less every fee, less what the open positions cost.
        var opened = report.OpenPositions.Sum(p => p.Quantity * p.AverageEntryPrice);
        Assert.Equal(report.InitialCash + report.RoundTrips.Sum(t => t.RealizedPnl) - report.TotalFees - opened, report.EndingCash);

        // Equity: the cash and the open positions at their last close in the files.
        var symbol = Assert.Single(report.Symbols);
        var lastBars = new CsvBarHistory(data!).ReadLatest("SPY", barInterval, 1, symbol.LastBarEnd!.Value);
        var lastClose = Assert.Single(lastBars.Bars).Close;
        Assert.Equal(report.EndingCash + report.OpenPositions.Sum(p => p.Quantity * lastClose), report.EndingEquity);
        Assert.Equal(report.EndingEquity - report.InitialCash, report.NetPnl);
        Assert.Equal(report.Fills, (2 * report.RoundTrips.Count) + report.OpenPositions.Count);
    }
}
