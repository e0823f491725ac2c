using OrleansTrader.Domain.Backtesting;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Strategies;

namespace OrleansTrader.Domain.Tests.Backtesting;

/// <summary>A position still open after the last bar was exposed and was traded: the statistics count it.</summary>
public sealed class BacktestOpenPositionStatisticsTests
{
    private static readonly DateTimeOffset T0 = new(2024, 3, 1, 14, 30, 0, TimeSpan.Zero);

    [Fact]
    public void BuyAndHold_IsExposedFromItsFillToTheEnd_AndItsEntryCountsInTheTurnover()
    {
        // Five one-minute bars at 10; 10 shares bought on the first bar fill at the second's open (T0 + 1 min) and are held.
        var bars = Enumerable.Range(0, 5).Select(i => new Bar("SPY", T0.AddMinutes(i), TimeSpan.FromMinutes(1), 10m, 10m, 10m, 10m, 1m)).ToArray();

        var result = Backtester.Run(new BuyOnce(), bars, new BacktestOptions { StrategyId = "bt", InitialCash = 1_000m });
        var report = result.ComputeStatistics(periodsPerYear: 252 * 390);

        Assert.Empty(result.RoundTrips);
        Assert.Equal(10m, result.Positions["SPY"].Quantity);
        // Held 4 of the curve's 5 minutes; $100 traded against an average equity of $1,000.
        Assert.Equal(0.8, report.Exposure);
        Assert.Equal(0.1m, report.Turnover);
    }

    private sealed class BuyOnce : StrategyBase
    {
        private bool _sent;

        public override string Kind => "buy-once";

        public override void OnBar(Bar bar)
        {
            if (!_sent)
            {
                _sent = true;
                Context.SubmitOrder(new OrderIntentRequest
                {
                    Symbol = bar.Symbol, Side = OrderSide.Buy, Quantity = 10m, Type = OrderType.Market, TimeInForce = TimeInForce.Day, Reason = "test",
                });
            }
        }

        public override StrategyState GetState() => new BuyOnceState(_sent);

        public override void Restore(StrategyState state) => _sent = ((BuyOnceState)state).Sent;
    }

    private sealed record BuyOnceState(bool Sent) : StrategyState;
}
