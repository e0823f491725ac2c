using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansTrader.Brokers.Tests.Alpaca;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Tests.Infrastructure;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// An order's steps are logged at Debug, its fill at Information. With all three at Information, 300 orders a second through
/// the API printed 900 lines a second (the account's "sent to the broker" 5003, the paper venue's "accepted" 4200 and the
/// fill 5007): a third of that is the fills, the line an operator watching the log wants. Orders are in the account's API
/// and history, and counted in /metrics.
/// </summary>
public sealed class OrderPathLogLevelTests
{
    [Fact]
    public async Task PlacingFillingAndDenyingOrders_LogsTheirStepsAtDebug_AndOnlyTheFillAtInformation()
    {
        var logs = new CapturedLogs();
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            // Debug kept, so that the lines are seen to be logged at all, not merely filtered out.
            ConfigureSilo = silo => silo.Services.AddSingleton<ILoggerProvider>(logs).AddLogging(b => b.SetMinimumLevel(LogLevel.Debug)),
        });
        await Market.QuoteAsync(cluster, "LOGL", 10m, 10m);
        var account = await TestAccounts.OpenAsync(cluster, "log-levels", 100_000m);

        Assert.True((await account.PlaceOrderAsync(Market.MarketOrder("log-filled", "LOGL", OrderSide.Buy, 10m))).Succeeded);
        await Eventually.WaitAsync<IReadOnlyList<AccountFill>>(() => account.GetFillsAsync(0, 100), f => f.Count == 1, "the fill");

        // 200,000 of notional against 100,000 of cash: denied for buying power.
        Assert.False((await account.PlaceOrderAsync(Market.MarketOrder("log-denied", "LOGL", OrderSide.Buy, 20_000m))).Succeeded);

        var orderLines = logs.Entries
            .Where(e => e.Text.Contains("log-filled", StringComparison.Ordinal) || e.Text.Contains("log-denied", StringComparison.Ordinal))
            .Select(e => $"{e.EventId.Id} {e.Level}")
            .Distinct()
            .Order(StringComparer.Ordinal);
        Assert.Equal(["4200 Debug", "5003 Debug", "5004 Debug", "5007 Information"], orderLines);
    }
}
