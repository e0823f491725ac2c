using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansTrader.Brokers;
using OrleansTrader.Brokers.Tests.Alpaca;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Risk;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Accounts;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.MarketData.Validation;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// A position booked at a plausible size, then marked at a price the market data accepted that makes its value overflow a
/// decimal (the validator's MaxPrice refuses such prints by default; these tests lift it, as an operator may, to check the
/// account's own defence). The account
/// stays readable, says why it has no valuation, denies what needs one with a reason code, and fails safe to REDUCING.
/// The signal tick is off: each test drives the step it checks.
/// </summary>
public sealed class AccountValuationOverflowTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    // 1,000 x 1e26 is beyond a decimal (about 7.9e28).
    private const decimal AbsurdMark = 100_000_000_000_000_000_000_000_000m;

    [Fact]
    public async Task AMarkThatOverflowsAPosition_LeavesTheSnapshotAndPositionsReadable_WithTheReason()
    {
        await using var cluster = await StartAsync(new CapturedLogs());
        var account = await HoldThenMarkAbsurdlyAsync(cluster, "ovm-read", "OVM");

        var snapshot = (await account.GetSnapshotAsync())!;
        Assert.Null(snapshot.Equity);
        Assert.Null(snapshot.BuyingPower);
        Assert.Empty(snapshot.MissingMarks);
        Assert.Contains("OVM", snapshot.ValuationError, StringComparison.Ordinal);
        Assert.Equal(1_000_000m - 10_000m, snapshot.Cash);

        var position = Assert.Single(await account.GetPositionsAsync());
        Assert.Equal(AbsurdMark, position.MarketPrice);
        Assert.Null(position.MarketValue);
        Assert.Null(position.UnrealizedPnl);
    }

    [Fact]
    public async Task AnAccountThatCannotBeValued_DeniesOpeningOrdersWithAReason_AndLetsClosingOrdersThrough()
    {
        await using var cluster = await StartAsync(new CapturedLogs());
        var account = await HoldThenMarkAbsurdlyAsync(cluster, "ovm-orders", "OVM");

        var opening = await account.PlaceOrderAsync(Market.MarketOrder("ovm-more", "OVM", OrderSide.Buy, 1m));
        Assert.False(opening.Succeeded);
        Assert.Equal(RiskReasonCodes.InputMissing, opening.Denial!.ReasonCode);
        Assert.Contains("OVM", opening.Denial.Message, StringComparison.Ordinal);

        var preview = await account.PreviewOrderAsync(Market.MarketOrder("ovm-preview", "OVM", OrderSide.Buy, 1m).Request);
        Assert.Equal(RiskReasonCodes.InputMissing, preview.ReasonCode);

        // A sale of what is held needs no valuation: the account can still get out.
        Assert.True((await account.PlaceOrderAsync(Market.MarketOrder("ovm-out", "OVM", OrderSide.Sell, 1_000m))).Succeeded);
    }

    [Fact]
    public async Task TheSignalStep_OfAnAccountThatCannotBeValued_TripsReducingWithTheCause()
    {
        var logs = new CapturedLogs();
        await using var cluster = await StartAsync(logs);
        var account = await HoldThenMarkAbsurdlyAsync(cluster, "ovm-signal", "OVM");

        // RefreshAsync runs the signal tick's work (marks, day, signals to the breaker) in the caller's turn.
        var snapshot = (await account.RefreshAsync())!;

        Assert.Equal(TradingState.Reducing, snapshot.AccountBreakerState);
        var breaker = await cluster.Breaker("ovm-signal").GetStateAsync();
        Assert.Equal(TradingState.Reducing, breaker.State);
        Assert.Contains("cannot be valued", breaker.LastReason, StringComparison.Ordinal);
        Assert.Contains("OVM", breaker.LastReason, StringComparison.Ordinal);
        Assert.Contains(logs.Entries, e => e.EventId.Id == 5019 && e.Level == LogLevel.Error);
    }

    // A bracket's exits reserve for the entry's fill at the highest of its prices, the fill's own included. A fill at 1e28
    // is booked (the books hold 1 x 1e28), but the exits' sale fee on 1e28 (SEC $20.60 per million) overflowed in the fill
    // handler after the fill was in memory and before its write: the redelivery found it applied and wrote nothing, and
    // the account went on without the exits' reservation and without a word.
    [Fact]
    public async Task ABracketEntryFilledAtAnAbsurdPrice_KeepsItsFill_AndReportsTheExitsItCannotReserveFor()
    {
        var logs = new CapturedLogs();
        await using var cluster = await StartAsync(logs);
        await Market.QuoteAsync(cluster, "OVB", 100m, 100m);
        var account = await TestAccounts.OpenAsync(cluster, "ovb-exits", 1_000_000m);
        var placed = await account.PlaceOrderAsync(Market.AsBracket(Market.Limit("ovb-1", "OVB", OrderSide.Buy, 1m, 95m), 120m, 90m));
        Assert.True(placed.Succeeded, placed.Denial?.Message);
        var entry = await Eventually.WaitAsync(() => account.GetOrderAsync(placed.Order!.OrderId), o => o?.BrokerOrderId is not null, "accepted");

        await PushAsync(cluster, "ovb-exits", Fill(entry!, "ovb-x1", 10_000_000_000_000_000_000_000_000_000m));

        await Eventually.WaitAsync(() => account.GetFillsAsync(0, 100), f => f.Count == 1, "the fill");
        await Eventually.WaitAsync(() => Task.FromResult(logs.Entries.ToList()),
            e => e.Exists(l => l.EventId.Id == 5008 && l.Text.Contains("cannot be reserved for", StringComparison.Ordinal)), "the mismatch");
        Assert.NotEqual(TradingState.Active, (await cluster.Breaker("ovb-exits").GetStateAsync()).State);
        var log = ((DurableStreamProvider)cluster.Cluster.Client.GetStreamProvider(StreamNames.DurableProvider)).Log;
        Assert.Empty(await log.ReadDeadLettersAsync(StreamId.Create(StreamNames.Fills, "ovb-exits"), Ct));
        Assert.NotNull(await account.GetSnapshotAsync());
    }

    private static async Task<IAccountGrain> HoldThenMarkAbsurdlyAsync(TradingCluster cluster, string accountId, string symbol)
    {
        await Market.QuoteAsync(cluster, symbol, 10m, 10m);
        var account = await TestAccounts.OpenAsync(cluster, accountId, 1_000_000m);
        Assert.True((await account.PlaceOrderAsync(Market.MarketOrder(accountId + "-buy", symbol, OrderSide.Buy, 1_000m))).Succeeded);
        await Eventually.WaitAsync(() => account.GetFillsAsync(0, 100), f => f.Count == 1, "the fill");

        // The symbol's first trade: no band yet and MaxPrice lifted, so the market data accepts it, and it is the mark.
        await Market.TradeAsync(cluster, symbol, AbsurdMark);
        return account;
    }

    private static Task<TradingCluster> StartAsync(CapturedLogs logs) => TradingCluster.StartAsync(new TradingClusterOptions
    {
        ConfigureSilo = silo =>
        {
            silo.Services.AddSingleton<ILoggerProvider>(logs);
            silo.Services.Configure<TickValidatorOptions>(o => o.MaxPrice = decimal.MaxValue);
            silo.Configure<AccountGrainOptions>(o =>
            {
                o.SignalInterval = TimeSpan.FromDays(30);
                o.ReconcileInterval = TimeSpan.FromDays(30);
            });
        },
    });

    private static Task PushAsync(TradingCluster cluster, string accountId, ExecutionReport report) =>
        cluster.Cluster.Client.GetStreamProvider(StreamNames.DurableProvider)
            .GetStream<ExecutionReport>(StreamId.Create(StreamNames.Fills, accountId)).OnNextAsync(report);

    /// <summary>The venue's report of a fill of the account's order.</summary>
    private static ExecutionReport Fill(AccountOrder order, string executionId, decimal price)
    {
        var at = TimeProvider.System.GetUtcNow();
        var broker = new BrokerOrder
        {
            OrderId = order.BrokerOrderId!,
            ClientOrderId = order.ClientOrderId,
            Symbol = order.Symbol,
            Side = order.Side,
            Type = order.Type,
            TimeInForce = order.TimeInForce,
            Quantity = order.Quantity,
            LimitPrice = order.LimitPrice,
            Status = OrderStatus.Filled,
            FilledQuantity = order.Quantity,
            CreatedAt = at,
            UpdatedAt = at,
        };
        var execution = new Execution
        {
            ExecutionId = executionId,
            OrderId = broker.OrderId,
            ClientOrderId = order.ClientOrderId,
            Symbol = order.Symbol,
            Side = order.Side,
            Quantity = order.Quantity,
            Price = price,
            Timestamp = at,
        };
        return new ExecutionReport(ExecutionReportKind.Fill, broker, at, execution);
    }
}
