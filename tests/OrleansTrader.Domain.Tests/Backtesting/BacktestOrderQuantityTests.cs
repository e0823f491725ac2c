using OrleansTrader.Domain.Backtesting;
using OrleansTrader.Domain.Instruments;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Strategies;

namespace OrleansTrader.Domain.Tests.Backtesting;

/// <summary>
/// A backtest has no account, but an order above the most an order may have is refused there (QUANTITY_INVALID), so the
/// backtest refuses it too. Filled, a strategy of one's own asking for 79228162514264337593543950335 shares overflowed the
/// position's cost: an OverflowException out of the run, a 500 out of POST /api/backtests.
/// </summary>
public sealed class BacktestOrderQuantityTests
{
    private static readonly DateTimeOffset T0 = new(2024, 3, 1, 14, 30, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("1000000.000000001")]
    [InlineData("79228162514264337593543950335")]
    public void AnOrderAboveTheMostAnOrderMayHave_IsRejected_NotFilled(string quantity)
    {
        var shares = decimal.Parse(quantity, System.Globalization.CultureInfo.InvariantCulture);

        var result = Backtester.Run(new BuysOnce(shares), Bars(), new BacktestOptions { StrategyId = "bt", InitialCash = 1_000m });

        Assert.Empty(result.Executions);
        var update = Assert.Single(result.OrderUpdates);
        Assert.Equal(OrderStatus.Rejected, update.Status);
        Assert.Equal($"quantity {shares} is above the 1000000 an order may have (QUANTITY_INVALID at the account)", update.Message);
        Assert.Equal(1_000m, result.Cash);
    }

    [Fact]
    public void AnOrderOfTheMostAnOrderMayHave_Fills()
    {
        var result = Backtester.Run(new BuysOnce(Instrument.DefaultMaxQuantity), Bars(), new BacktestOptions { StrategyId = "bt", InitialCash = 1_000m });

        Assert.Equal(1_000_000m, Assert.Single(result.Executions).Quantity);
    }

    private static Bar[] Bars() =>
        [.. Enumerable.Range(0, 3).Select(i => new Bar("SPY", T0.AddMinutes(i), TimeSpan.FromMinutes(1), 10m, 10m, 10m, 10m, 1m))];

    private sealed class BuysOnce(decimal quantity) : StrategyBase
    {
        private bool _sent;

        public override string Kind => "buys-once";

        public override void OnBar(Bar bar)
        {
            if (!_sent)
            {
                _sent = true;
                Context.SubmitOrder(new OrderIntentRequest { Symbol = bar.Symbol, Side = OrderSide.Buy, Quantity = quantity, Reason = "test" });
            }
        }

        public override StrategyState GetState() => new BuysOnceState(_sent);

        public override void Restore(StrategyState state) => _sent = ((BuysOnceState)state).Sent;
    }

    private sealed record BuysOnceState(bool Sent) : StrategyState;
}
