using OrleansTrader.Domain.Backtesting;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Strategies;

namespace OrleansTrader.Domain.Tests.Strategies;

/// <summary>The built-in strategies with <c>trailingStopPercent</c>, run through the backtester (next-bar-open fills).</summary>
public sealed class ProtectiveStopStrategyTests
{
    private static readonly DateTimeOffset T0 = new(2024, 3, 1, 14, 30, 0, TimeSpan.Zero);

    [Fact]
    public void Sma_StoppedOutAboveItsSlowAverage_StaysOutUntilTheNextCross()
    {
        // The cross on bar 2 buys at bar 3's open (102); the stop trails from 102 and then 104 (level 98.80); bar 5 dips to
        // 98 and closes back at 104.50, still above the slow average: no cross, so no buying straight back in.
        var result = Run(Sma(), Flat(0, 100m), Flat(1, 99m), Flat(2, 101m), Flat(3, 102m), Flat(4, 104m), Ohlc(5, 104m, 104.5m, 98m, 104.5m), Flat(6, 105m), Flat(7, 106m));

        Assert.Equal([(OrderType.Market, OrderSide.Buy), (OrderType.TrailingStop, OrderSide.Sell)], result.Intents.Select(i => (i.Type, i.Side)));
        Assert.Equal(5m, result.Intents[1].TrailPercent);
        Assert.Equal([(OrderSide.Buy, 102m, T0.AddMinutes(3)), (OrderSide.Sell, 98.80m, T0.AddMinutes(5))],
            result.Executions.Select(e => (e.Side, e.Price, e.Timestamp)));
        Assert.Equal(0m, result.Positions["SPY"].Quantity);
    }

    [Fact]
    public void TheStop_GuardsTheBarTheEntryFilledIn()
    {
        // The entry fills at bar 3's open (102) and the stop goes out at once, sent when bar 2 ended: its mark starts at bar
        // 2's close (101, level 95.95) and bar 3, which it works through, dips to 95. It used to be sent only with bar 3's
        // own orders, so bar 3's range went unguarded and the stop first met bar 4.
        var result = Run(Sma(), Flat(0, 100m), Flat(1, 99m), Flat(2, 101m), Ohlc(3, 102m, 102.5m, 95m, 102m), Flat(4, 103m), Flat(5, 104m));

        var stop = result.Intents[1];
        Assert.Equal((OrderType.TrailingStop, T0.AddMinutes(3)), (stop.Type, stop.CreatedAt));
        Assert.Equal([(OrderSide.Buy, 102m, T0.AddMinutes(3)), (OrderSide.Sell, 95.95m, T0.AddMinutes(3))],
            result.Executions.Select(e => (e.Side, e.Price, e.Timestamp)));
    }

    [Fact]
    public void Sma_ADeathCross_CancelsTheStopFirst_ThenSellsOnTheSameBar_AndNeverGoesShort()
    {
        // Bar 4's close makes the death cross: the stop's cancel is confirmed at that bar's end and the sell goes right
        // after it, filling at bar 5's open (99) as it would have without a stop.
        var result = Run(Sma(), Flat(0, 100m), Flat(1, 99m), Flat(2, 101m), Flat(3, 102m), Flat(4, 100m), Flat(5, 99m), Flat(6, 98m), Flat(7, 97m));

        var stop = result.Intents[1];
        Assert.Equal(OrderType.TrailingStop, stop.Type);
        Assert.Contains(result.OrderUpdates, u => u.ClientOrderId == stop.ClientOrderId && u.Status == OrderStatus.Canceled && u.Timestamp == T0.AddMinutes(5));
        Assert.Equal([(OrderSide.Buy, 102m), (OrderSide.Sell, 99m)], result.Executions.Select(e => (e.Side, e.Price)));
        Assert.Equal(T0.AddMinutes(5), result.Executions[1].Timestamp);
        Assert.Equal(3, result.Intents.Count);
    }

    [Theory]
    [InlineData("sma-crossover")]
    [InlineData("rsi-mean-reversion")]
    [InlineData("bollinger-breakout")]
    public void AStopThatNeverTriggers_ChangesNoFill(string kind)
    {
        var bars = RandomWalkBars();
        var without = Run(StrategyCatalog.Create(kind, "SPY", ParametersFor(kind, trailingStopPercent: null)), bars);
        var with = Run(StrategyCatalog.Create(kind, "SPY", ParametersFor(kind, trailingStopPercent: 50m)), bars);

        Assert.True(without.Executions.Count > 10, $"{kind}: only {without.Executions.Count} fills");
        Assert.Equal(without.Executions.Select(e => (e.Side, e.Quantity, e.Price, e.Timestamp)), with.Executions.Select(e => (e.Side, e.Quantity, e.Price, e.Timestamp)));
        Assert.Contains(with.Intents, i => i.Type == OrderType.TrailingStop);
    }

    [Theory]
    [InlineData("sma-crossover")]
    [InlineData("rsi-mean-reversion")]
    [InlineData("bollinger-breakout")]
    public void EveryKind_OnARandomWalk_KeepsOneStopOnThePosition_AndNeverSellsWhatItDoesNotHold(string kind)
    {
        var result = Run(StrategyCatalog.Create(kind, "SPY", ParametersFor(kind, trailingStopPercent: 0.5m)), RandomWalkBars());

        var stops = result.Intents.Where(i => i.Type == OrderType.TrailingStop).Select(i => i.ClientOrderId).ToHashSet();
        var stopFills = result.Executions.Count(e => stops.Contains(e.ClientOrderId));
        Assert.True(stopFills > 0, $"{kind}: no stop filled in {result.Executions.Count} fills");
        Assert.Contains(result.OrderUpdates, u => stops.Contains(u.ClientOrderId) && u.Status == OrderStatus.Canceled);

        // Replay the fills: the position never passes the strategy's size (a stop and an exit never both sold it), and a
        // long-only strategy never goes short.
        var position = 0m;
        foreach (var fill in result.Executions)
        {
            position += fill.Side == OrderSide.Buy ? fill.Quantity : -fill.Quantity;
            Assert.InRange(position, kind == "sma-crossover" ? -10m : 0m, 10m);
        }

        // Each stop covers exactly the position it was placed on, and a stop filled within a bar fills on a cent.
        Assert.All(result.Executions.Where(e => stops.Contains(e.ClientOrderId)), e => Assert.Equal(decimal.Round(e.Price, 2), e.Price));
        foreach (var intent in result.Intents.Where(i => i.Type == OrderType.TrailingStop))
        {
            // Not its own fill: a stop sent on an entry that filled at a bar's open can fill within that bar, at the same time.
            var held = result.Executions.Where(e => e.Timestamp <= intent.CreatedAt && e.ClientOrderId != intent.ClientOrderId)
                .Sum(e => e.Side == OrderSide.Buy ? e.Quantity : -e.Quantity);
            Assert.Equal(Math.Abs(held), intent.Quantity);
            Assert.Equal(held > 0m ? OrderSide.Sell : OrderSide.Buy, intent.Side);
        }
    }

    private static Dictionary<string, decimal> ParametersFor(string kind, decimal? trailingStopPercent)
    {
        var parameters = kind == "sma-crossover"
            ? new Dictionary<string, decimal> { ["quantity"] = 10m, ["fastPeriod"] = 3m, ["slowPeriod"] = 8m }
            : new Dictionary<string, decimal> { ["quantity"] = 10m, ["period"] = 5m };
        if (trailingStopPercent is { } percent)
        {
            parameters["trailingStopPercent"] = percent;
        }

        return parameters;
    }

    private static Bar[] RandomWalkBars() =>
        SyntheticSeries.RandomWalk(2_000).Select((c, i) => new Bar("SPY", T0.AddMinutes(i), TimeSpan.FromMinutes(1), c, c + 0.20m, c - 0.20m, c, 1_000m)).ToArray();

    private static SmaCrossoverStrategy Sma() =>
        new(new SmaCrossoverParameters { Symbol = "SPY", Quantity = 10m, FastPeriod = 1, SlowPeriod = 2, TrailingStopPercent = 5m });

    private static BacktestResult Run(IStrategy strategy, params Bar[] bars) => Backtester.Run(strategy, bars, new BacktestOptions
    {
        StrategyId = "bt",
        InitialCash = 100_000m,
        FillPolicy = BacktestFillPolicies.NextBarOpen,
        Fee = _ => 0m,
    });

    private static Bar Flat(int minute, decimal price) => Ohlc(minute, price, price, price, price);

    private static Bar Ohlc(int minute, decimal open, decimal high, decimal low, decimal close) =>
        new("SPY", T0.AddMinutes(minute), TimeSpan.FromMinutes(1), open, high, low, close, 1_000m);
}
