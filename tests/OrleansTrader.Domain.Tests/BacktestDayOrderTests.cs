using OrleansTrader.Domain.Backtesting;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Strategies;

namespace OrleansTrader.Domain.Tests;

/// <summary>A DAY order resting in a backtest ends with its UTC date: the next date's first bar does not fill it.</summary>
public sealed class BacktestDayOrderTests
{
    [Fact]
    public void ARestingDayLimit_DoesNotFillAtTheNextUtcDatesOpen_AfterItsDayEnded()
    {
        // Three bars before midnight UTC at 10 (a buy limit at 5 never reached), then a bar after midnight opening at 4.
        var lateEvening = new DateTimeOffset(2024, 3, 1, 23, 57, 0, TimeSpan.Zero);
        var bars = new[]
        {
            new Bar("SPY", lateEvening, TimeSpan.FromMinutes(1), 10m, 10m, 10m, 10m, 1m),
            new Bar("SPY", lateEvening.AddMinutes(1), TimeSpan.FromMinutes(1), 10m, 10m, 10m, 10m, 1m),
            new Bar("SPY", lateEvening.AddMinutes(2), TimeSpan.FromMinutes(1), 10m, 10m, 10m, 10m, 1m),
            new Bar("SPY", lateEvening.AddMinutes(3), TimeSpan.FromMinutes(1), 4m, 4m, 4m, 4m, 1m),
            new Bar("SPY", lateEvening.AddMinutes(4), TimeSpan.FromMinutes(1), 4m, 4m, 4m, 4m, 1m),
        };

        var result = Backtester.Run(new DayLimitBuy(5m), bars, new BacktestOptions
        {
            StrategyId = "bt", InitialCash = 1_000m, FillPolicy = BacktestFillPolicies.NextBarOpen,
        });

        // The DAY order's day (2024-03-01 UTC) ended before the bar of 2024-03-02 opened: it expires there, unfilled.
        Assert.Empty(result.Executions);
        var update = Assert.Single(result.OrderUpdates);
        Assert.Equal(OrderStatus.Expired, update.Status);
    }

    private sealed class DayLimitBuy(decimal limit) : StrategyBase
    {
        private bool _sent;

        public override string Kind => "day-limit-buy";

        public override void OnBar(Bar bar)
        {
            if (!_sent)
            {
                _sent = true;
                Context.SubmitOrder(new OrderIntentRequest
                {
                    Symbol = bar.Symbol, Side = OrderSide.Buy, Quantity = 1m, Type = OrderType.Limit, LimitPrice = limit,
                    TimeInForce = TimeInForce.Day, Reason = "test",
                });
            }
        }

        public override StrategyState GetState() => new DayLimitBuyState(_sent);

        public override void Restore(StrategyState state) => _sent = ((DayLimitBuyState)state).Sent;
    }

    private sealed record DayLimitBuyState(bool Sent) : StrategyState;
}
