using OrleansTrader.Domain.Backtesting;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Strategies;

namespace OrleansTrader.Domain.Tests.Backtesting;

/// <summary>
/// A multi-symbol strategy orders a symbol whose latest bar ended some time before (a thinly traded symbol, or one whose
/// trading starts later in the day): the order was sent when the strategy's bar ended, not when that older bar did.
/// </summary>
public sealed class BacktestStaleSymbolTests
{
    // 2024-03-01, UTC evening; the default calendar (always open) ends each session at UTC midnight.
    private static readonly DateTimeOffset T0 = new(2024, 3, 1, 22, 0, 0, TimeSpan.Zero);

    [Fact]
    public void UnderSignalBarClose_AnOrderForASymbolWhoseLastBarIsOld_DoesNotFillAtThatStaleClose_BeforeItWasSent()
    {
        // BBB trades every minute; AAA traded at 22:00 (close 50) and then not until 22:05 (open 60, close 61). Seeing BBB's
        // 22:03 bar (ended 22:04), the strategy buys AAA at market: AAA's 50 was no longer to be had at 22:04.
        Bar[] bars = [.. Run(), .. Bbb(0, 7)];
        Array.Sort(bars, (a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : string.CompareOrdinal(a.Symbol, b.Symbol));

        var result = Backtester.Run(new BuysOnBar("BBB", 3, "AAA", OrderType.Market), bars, Options(BacktestFillPolicies.SignalBarClose));

        var fill = Assert.Single(result.Executions);
        Assert.Equal((61m, T0.AddMinutes(6)), (fill.Price, fill.Timestamp));
        Assert.True(fill.Timestamp >= Assert.Single(result.Intents).CreatedAt);
    }

    [Fact]
    public void UnderSignalBarClose_AnIocOrderForASymbolWhoseLastBarIsOld_IsCanceled_SayingWhy()
    {
        Bar[] bars = [.. Run(), .. Bbb(0, 7)];
        Array.Sort(bars, (a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : string.CompareOrdinal(a.Symbol, b.Symbol));

        var result = Backtester.Run(
            new BuysOnBar("BBB", 3, "AAA", OrderType.Market, timeInForce: TimeInForce.Ioc), bars, Options(BacktestFillPolicies.SignalBarClose));

        Assert.Empty(result.Executions);
        var update = Assert.Single(result.OrderUpdates);
        Assert.Equal((OrderStatus.Canceled, T0.AddMinutes(4)), (update.Status, update.Timestamp));
        Assert.Contains("AAA's last bar ended at 2024-03-01T22:01:00", update.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ADayOrderForASymbolWhoseLastBarWasTheDayBefore_IsGoodForTheDayItWasSent()
    {
        // AAA last traded at 23:58 UTC on 1 March; BBB trades on 2 March from 00:00. Seeing BBB's 00:01 bar, the strategy
        // sends a DAY buy limit for AAA at 70: a 2 March order, which AAA's 00:05 bar (low 59) fills at its open of 60.
        var day2 = new DateTimeOffset(2024, 3, 2, 0, 0, 0, TimeSpan.Zero);
        Bar[] bars =
        [
            new("AAA", day2.AddMinutes(-2), TimeSpan.FromMinutes(1), 50m, 50m, 50m, 50m, 100m),
            .. Enumerable.Range(0, 7).Select(m => new Bar("BBB", day2.AddMinutes(m), TimeSpan.FromMinutes(1), 20m, 20m, 20m, 20m, 100m)),
            new("AAA", day2.AddMinutes(5), TimeSpan.FromMinutes(1), 60m, 62m, 59m, 61m, 100m),
        ];
        Array.Sort(bars, (a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : string.CompareOrdinal(a.Symbol, b.Symbol));

        var result = Backtester.Run(new BuysOnBar("BBB", 1, "AAA", OrderType.Limit, 70m), bars, Options(BacktestFillPolicies.NextBarOpen));

        Assert.DoesNotContain(result.OrderUpdates, u => u.Status == OrderStatus.Expired);
        var fill = Assert.Single(result.Executions);
        Assert.Equal((60m, day2.AddMinutes(5)), (fill.Price, fill.Timestamp));
    }

    private static IEnumerable<Bar> Run() =>
    [
        new("AAA", T0, TimeSpan.FromMinutes(1), 50m, 50m, 50m, 50m, 100m),
        new("AAA", T0.AddMinutes(5), TimeSpan.FromMinutes(1), 60m, 62m, 59m, 61m, 100m),
        new("AAA", T0.AddMinutes(6), TimeSpan.FromMinutes(1), 61m, 62m, 60m, 61m, 100m),
    ];

    private static IEnumerable<Bar> Bbb(int from, int count) =>
        Enumerable.Range(from, count).Select(m => new Bar("BBB", T0.AddMinutes(m), TimeSpan.FromMinutes(1), 20m, 20m, 20m, 20m, 100m));

    private static BacktestOptions Options(BacktestFillPolicy policy) => new() { StrategyId = "bt", InitialCash = 1_000m, FillPolicy = policy };

    /// <summary>On the <paramref name="nth"/> bar (from 0) of <paramref name="seen"/>, buys 1 of <paramref name="traded"/>; nothing else.</summary>
    private sealed class BuysOnBar(string seen, int nth, string traded, OrderType type, decimal? limit = null, TimeInForce timeInForce = TimeInForce.Day) : StrategyBase
    {
        private int _seen;

        public override string Kind => "buys-on-bar";

        public override void OnBar(Bar bar)
        {
            if (bar.Symbol == seen && _seen++ == nth)
            {
                Context.SubmitOrder(new OrderIntentRequest
                {
                    Symbol = traded, Side = OrderSide.Buy, Quantity = 1m, Type = type, LimitPrice = limit, TimeInForce = timeInForce, Reason = "test",
                });
            }
        }

        public override StrategyState GetState() => new Sent(_seen);

        public override void Restore(StrategyState state)
        {
        }

        private sealed record Sent(int Seen) : StrategyState;
    }
}
