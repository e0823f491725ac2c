using OrleansTrader.Domain.Backtesting;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Strategies;

namespace OrleansTrader.Domain.Tests.Backtesting;

/// <summary>
/// A strategy cancels an order whose fill is already scheduled for a later bar of its symbol (a thinly traded symbol of a
/// multi-symbol strategy, whose next bar is several of the strategy's bars away): not executed yet, so the cancel wins, as
/// at a venue; a fill that came before the cancel stands.
/// </summary>
public sealed class BacktestScheduledFillCancelTests
{
    // 2024-03-01, UTC evening; the default calendar (always open) ends each session at UTC midnight.
    private static readonly DateTimeOffset T0 = new(2024, 3, 1, 22, 0, 0, TimeSpan.Zero);

    [Fact]
    public void AMarketOrderWaitingForItsSymbolsNextOpen_CanceledBeforeThatOpen_IsCanceled_AndNeverFills()
    {
        // AAA traded at 22:00 and next at 22:05. Seeing BBB's 22:01 bar (ended 22:02) the strategy buys AAA at market: its
        // fill waits for AAA's 22:05 open. Seeing BBB's 22:02 bar (ended 22:03) it cancels: AAA has not traded since.
        Bar[] bars = Sorted(
            new("AAA", T0, TimeSpan.FromMinutes(1), 50m, 50m, 50m, 50m, 100m),
            new("AAA", T0.AddMinutes(5), TimeSpan.FromMinutes(1), 60m, 62m, 59m, 61m, 100m));
        var strategy = new OrdersThenCancels(orderOnBbb: 1, cancelOnBbb: 2, OrderType.Market);

        var result = Backtester.Run(strategy, bars, Options());

        AssertCanceledBeforeItsFill(result, strategy, T0.AddMinutes(3));
    }

    [Fact]
    public void ARestingLimitWhoseFillAtItsSymbolsNextOpenIsScheduled_CanceledBeforeThatOpen_IsCanceled_AndNeverFills()
    {
        // The buy limit at 45 rests; AAA's 22:01 bar (ended 22:02) meets it and schedules its fill at AAA's 22:05 open of 40.
        // Seeing BBB's 22:02 bar (ended 22:03) the strategy cancels it.
        Bar[] bars = Sorted(
            new("AAA", T0, TimeSpan.FromMinutes(1), 50m, 50m, 50m, 50m, 100m),
            new("AAA", T0.AddMinutes(1), TimeSpan.FromMinutes(1), 50m, 50m, 50m, 50m, 100m),
            new("AAA", T0.AddMinutes(5), TimeSpan.FromMinutes(1), 40m, 41m, 40m, 41m, 100m));
        var strategy = new OrdersThenCancels(orderOnBbb: 0, cancelOnBbb: 2, OrderType.Limit, limit: 45m);

        var result = Backtester.Run(strategy, bars, Options());

        AssertCanceledBeforeItsFill(result, strategy, T0.AddMinutes(3));
    }

    [Fact]
    public void AFillThatCameBeforeTheCancelWasSent_Stands()
    {
        // BBB's bar is three minutes long. The market buy sent on AAA's 22:00 bar fills at AAA's 22:02 open; the cancel the
        // strategy sends on seeing BBB's bar (ended 22:03) comes after that fill.
        Bar[] bars =
        [
            new("AAA", T0, TimeSpan.FromMinutes(1), 50m, 50m, 50m, 50m, 100m),
            new("BBB", T0, TimeSpan.FromMinutes(3), 20m, 20m, 20m, 20m, 100m),
            new("AAA", T0.AddMinutes(2), TimeSpan.FromMinutes(1), 60m, 62m, 59m, 61m, 100m),
        ];
        var strategy = new OrdersThenCancels(orderOnBbb: null, cancelOnBbb: 0, OrderType.Market);

        var result = Backtester.Run(strategy, bars, Options());

        var fill = Assert.Single(result.Executions);
        Assert.Equal((60m, T0.AddMinutes(2)), (fill.Price, fill.Timestamp));
        Assert.Equal([OrderStatus.Filled], result.OrderUpdates.Select(u => u.Status));
        Assert.Equal(1m, result.Positions["AAA"].Quantity);
    }

    private static void AssertCanceledBeforeItsFill(BacktestResult result, OrdersThenCancels strategy, DateTimeOffset canceledAt)
    {
        Assert.Empty(result.Executions);
        var update = Assert.Single(result.OrderUpdates);
        Assert.Equal((OrderStatus.Canceled, canceledAt, "canceled by the strategy"), (update.Status, update.Timestamp, update.Message));
        Assert.Equal([true], strategy.CancelAnswers);
        Assert.Equal(1_000m, result.Cash);
        Assert.DoesNotContain(result.Positions.Values, p => p.Quantity != 0m);
    }

    /// <summary>AAA's given bars and BBB every minute from 22:00 to 22:06, ordered as the run needs them.</summary>
    private static Bar[] Sorted(params Bar[] aaa)
    {
        Bar[] bars = [.. aaa, .. Enumerable.Range(0, 7).Select(m => new Bar("BBB", T0.AddMinutes(m), TimeSpan.FromMinutes(1), 20m, 20m, 20m, 20m, 100m))];
        Array.Sort(bars, (a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : string.CompareOrdinal(a.Symbol, b.Symbol));
        return bars;
    }

    private static BacktestOptions Options() =>
        new() { StrategyId = "bt", InitialCash = 1_000m, FillPolicy = BacktestFillPolicies.NextBarOpen };

    /// <summary>
    /// Buys 1 AAA on BBB's <paramref name="orderOnBbb"/>th bar (from 0; null: on AAA's first bar), then cancels it on BBB's
    /// <paramref name="cancelOnBbb"/>th bar, recording what CancelOrder answered.
    /// </summary>
    private sealed class OrdersThenCancels(int? orderOnBbb, int cancelOnBbb, OrderType type, decimal? limit = null) : StrategyBase
    {
        private int _bbbBars;
        private OrderIntent? _order;

        public List<bool> CancelAnswers { get; } = [];

        public override string Kind => "orders-then-cancels";

        public override void OnBar(Bar bar)
        {
            var nth = bar.Symbol == "BBB" ? _bbbBars++ : (int?)null;
            if (_order is null && (orderOnBbb is null ? bar.Symbol == "AAA" : nth == orderOnBbb))
            {
                _order = Context.SubmitOrder(new OrderIntentRequest
                {
                    Symbol = "AAA", Side = OrderSide.Buy, Quantity = 1m, Type = type, LimitPrice = limit, TimeInForce = TimeInForce.Gtc, Reason = "test",
                });
            }
            else if (nth == cancelOnBbb && _order is not null)
            {
                CancelAnswers.Add(Context.CancelOrder(_order.ClientOrderId));
            }
        }

        public override StrategyState GetState() => new Seen(_bbbBars);

        public override void Restore(StrategyState state)
        {
        }

        private sealed record Seen(int BbbBars) : StrategyState;
    }
}
