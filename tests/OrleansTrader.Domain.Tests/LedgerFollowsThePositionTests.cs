using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;
using static OrleansTrader.Domain.Tests.Fixtures;

namespace OrleansTrader.Domain.Tests;

/// <summary>
/// Known answers for reservations that follow the position (a flip's short part, a close another order took), a
/// withdrawal in a drawdown, and a closing sale with no buying power left.
/// </summary>
public sealed class LedgerFollowsThePositionTests
{
    private static readonly Dictionary<string, decimal> At100 = new() { ["SPY"] = 100m };

    // Margin, long 100 @ 100, a sell of 150 reserves the 50 it opens short (5,000). Its first fill of 100 only closes the
    // long; the 50 still to fill will open a short of 5,000, so 5,000 must still be held.
    [Fact]
    public void FlipOrder_AfterItsClosingPartFills_StillReservesTheShortItWillOpen()
    {
        var ledger = AccountLedger.Open("a", AccountType.Margin, 10_000m)
            .ApplyFill(Exec("e0", OrderSide.Buy, 100m, 100m, orderId: "o0")).Ledger;
        var amount = ledger.RequiredReservation("SPY", OrderSide.Sell, 150m, 100m, 0m);
        ledger = ledger.Reserve("o1", "SPY", OrderSide.Sell, 150m, amount, 100m, 0m).GetValueOrThrow();

        var afterClose = ledger.ApplyFill(Exec("e1", OrderSide.Sell, 100m, 100m, orderId: "o1")).Ledger;
        var valuation = afterClose.Value(At100).GetValueOrThrow();

        Assert.Equal(5_000m, amount);
        Assert.Equal(5_000m, afterClose.ReservedTotal);

        // 2 x 10,000 equity, flat, minus the 5,000 the open 50 will take.
        Assert.Equal(15_000m, valuation.BuyingPower);
    }

    // Margin, long 100 @ 100. A resting sell of 100 (closing, reserves 0) and then a market sell of 100 (opens a short,
    // reserves 10,000). The market sell fills first and closes the long: now the resting sell is the one that will open
    // the short, so 10,000 must still be held.
    [Fact]
    public void ClosingOrder_WhoseCloseIsTakenByAnotherOrder_StillReservesTheShortItWillOpen()
    {
        var ledger = AccountLedger.Open("a", AccountType.Margin, 10_000m)
            .ApplyFill(Exec("e0", OrderSide.Buy, 100m, 100m, orderId: "o0")).Ledger;
        var restingAmount = ledger.RequiredReservation("SPY", OrderSide.Sell, 100m, 100m, 0m);
        ledger = ledger.Reserve("o1", "SPY", OrderSide.Sell, 100m, restingAmount, 100m, 0m).GetValueOrThrow();
        var marketAmount = ledger.RequiredReservation("SPY", OrderSide.Sell, 100m, 100m, 0m);
        ledger = ledger.Reserve("o2", "SPY", OrderSide.Sell, 100m, marketAmount, 100m, 0m).GetValueOrThrow();

        var afterMarket = ledger.ApplyFill(Exec("e2", OrderSide.Sell, 100m, 100m, orderId: "o2")).Ledger.Release("o2");
        var valuation = afterMarket.Value(At100).GetValueOrThrow();

        Assert.Equal((0m, 10_000m), (restingAmount, marketAmount));
        Assert.Equal(10_000m, afterMarket.ReservedTotal);
        Assert.Equal(10_000m, valuation.BuyingPower);
    }

    // A withdrawal is not a loss: the drawdown (what the breaker judges, in percent) must not move with it.
    // Equity 9,500 against a high-water mark of 10,000 is a 5% drawdown; withdrawing 8,000 must leave it at 5%.
    [Fact]
    public void Withdrawal_InADrawdown_DoesNotDeepenTheDrawdownPercent()
    {
        var ledger = AccountLedger.Open("a", AccountType.Cash, 10_000m).StartDay(10_000m)
            .ApplyFill(Exec("e0", OrderSide.Buy, 100m, 100m, orderId: "o0")).Ledger;
        var marks = new Dictionary<string, decimal> { ["SPY"] = 95m };
        var before = ledger.Value(marks).GetValueOrThrow();

        var after = ledger.TransferCash(-8_000m, before.Equity).Value(marks).GetValueOrThrow();

        Assert.Equal((9_500m, 5m), (before.Equity, before.DrawdownPercent));
        Assert.Equal(1_500m, after.Equity);
        Assert.Equal(5m, after.DrawdownPercent);
    }
    // A cash account with no cash left, long 100: selling them (only closing) needs no buying power; its fee comes out of
    // the proceeds.
    [Fact]
    public void ClosingSell_InAFullyInvestedCashAccount_IsApproved()
    {
        var ledger = AccountLedger.Open("a", AccountType.Cash, 10_000m)
            .ApplyFill(Exec("e0", OrderSide.Buy, 100m, 100m, orderId: "o0")).Ledger;
        var decision = Risk.RiskEngine.Default.Evaluate(new Risk.RiskInput
        {
            Request = MarketOrder(OrderSide.Sell, 100m),
            Now = T0,
            TradingState = Breaker.TradingState.Reducing,
            Limits = Risk.RiskLimits.Default,
            Instrument = Spy,
            Calendar = Calendar.AlwaysOpenCalendar.Instance,
            Quote = Quote(100m, 100m),
            LastPrice = 100m,
            Account = ledger,
            Valuation = ledger.Value(At100).GetValueOrThrow(),
            FeeModel = new Fees.ZeroCommissionFeeModel(Fees.RegulatoryFees.Default),
            OpenOrderCount = 0,
        });

        Assert.Equal(0m, ledger.Cash);
        Assert.True(decision.Approved, $"{decision.ReasonCode}: {decision.Message}");
    }
}
