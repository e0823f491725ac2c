using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;
using static OrleansTrader.Domain.Tests.Fixtures;

namespace OrleansTrader.Domain.Tests;

public sealed class AccountLedgerTests
{
    private static readonly Dictionary<string, decimal> NoMarks = [];

    [Fact]
    public void Reserve_ThenPartialFill_ReleasesProportionally()
    {
        var ledger = AccountLedger.Open("a", AccountType.Cash, 10_000m);
        var amount = ledger.RequiredReservation("SPY", OrderSide.Buy, 100m, 10m, 1m);

        ledger = ledger.Reserve("o1", "SPY", OrderSide.Buy, 100m, amount).GetValueOrThrow();
        var afterFill = ledger.ApplyFill(Exec("e1", OrderSide.Buy, 40m, 10m, orderId: "o1")).Ledger;

        Assert.Equal(1_001m, amount);
        Assert.Equal(1_001m, ledger.ReservedTotal);
        Assert.Equal(600.6m, afterFill.ReservedTotal);
        Assert.Equal(60m, afterFill.Reservations["o1"].RemainingQuantity);
    }

    [Fact]
    public void ApplyFill_CompleteFill_RemovesReservation()
    {
        var ledger = AccountLedger.Open("a", AccountType.Cash, 10_000m).Reserve("o1", "SPY", OrderSide.Buy, 100m, 1_001m).GetValueOrThrow();

        var after = ledger.ApplyFill(Exec("e1", OrderSide.Buy, 100m, 9.5m, orderId: "o1")).Ledger;

        Assert.Empty(after.Reservations);
        Assert.Equal(0m, after.ReservedTotal);
        Assert.Equal(9_050m, after.Cash);
    }

    // Cancel, reject and expiry all end the order; the account releases the remainder through the same call.
    [Fact]
    public void Release_FreesWholeRemainingReservation_WhenOrderEnds()
    {
        var ledger = AccountLedger.Open("a", AccountType.Cash, 10_000m).Reserve("o1", "SPY", OrderSide.Buy, 100m, 1_000m).GetValueOrThrow()
            .ApplyFill(Exec("e1", OrderSide.Buy, 30m, 10m, orderId: "o1")).Ledger;

        var released = ledger.Release("o1");

        Assert.Equal(700m, ledger.ReservedTotal);
        Assert.Equal(0m, released.ReservedTotal);
        Assert.Same(released, released.Release("o1"));
        Assert.Equal(9_700m, released.Value(new Dictionary<string, decimal> { ["SPY"] = 10m }).GetValueOrThrow().BuyingPower);
    }

    [Fact]
    public void Reserve_RefusesDuplicateAndNegative()
    {
        var ledger = AccountLedger.Open("a", AccountType.Cash, 10_000m).Reserve("o1", "SPY", OrderSide.Buy, 10m, 100m).GetValueOrThrow();

        Assert.Equal(LedgerErrorCodes.ReservationExists, ledger.Reserve("o1", "SPY", OrderSide.Buy, 10m, 100m).Error?.Code);
        Assert.Equal(LedgerErrorCodes.ReservationInvalid, ledger.Reserve("o2", "SPY", OrderSide.Buy, 10m, -1m).Error?.Code);
        Assert.Equal(LedgerErrorCodes.ReservationInvalid, ledger.Reserve("o3", "SPY", OrderSide.Buy, 0m, 1m).Error?.Code);
    }

    [Fact]
    public void BuyingPower_CashAccount_IsCashMinusReservations()
    {
        var ledger = AccountLedger.Open("a", AccountType.Cash, 10_000m)
            .ApplyFill(Exec("e1", OrderSide.Buy, 50m, 100m, orderId: "o0")).Ledger
            .Reserve("o1", "SPY", OrderSide.Buy, 10m, 1_000m).GetValueOrThrow();

        var valuation = ledger.Value(new Dictionary<string, decimal> { ["SPY"] = 110m }).GetValueOrThrow();

        Assert.Equal(5_000m, valuation.Cash);
        Assert.Equal(10_500m, valuation.Equity);
        Assert.Equal(4_000m, valuation.BuyingPower);
        Assert.Equal(0m, valuation.InitialMarginRequirement);
        Assert.Equal(500m, valuation.UnrealizedPnl);
    }

    [Fact]
    public void TransferCash_MovesCashTheDaysStartAndTheHighWaterMark_SoNeitherDayPnlNorDrawdownSeesIt()
    {
        var ledger = AccountLedger.Open("a", AccountType.Cash, 10_000m).StartDay(10_000m);

        var deposited = ledger.TransferCash(2_500m);
        var valuation = deposited.Value(NoMarks).GetValueOrThrow();
        var emptied = deposited.TransferCash(-12_500m);

        Assert.Equal((12_500m, 12_500m, 12_500m), (deposited.Cash, deposited.StartOfDayEquity, deposited.HighWaterMark));
        Assert.Equal((0m, 0m), (valuation.DayPnl, valuation.DrawdownPercent));
        Assert.Equal((0m, 0m, 0m), (emptied.Cash, emptied.StartOfDayEquity, emptied.HighWaterMark));
    }

    /// <summary>
    /// Below its mark, the equity scales the mark (mark · after / before). That product of two amounts overflowed a decimal
    /// once the mark passed about 2.8e14, and a transfer applied after it was stored threw at every activation of the account.
    /// Ordinary amounts scale exactly as they did; a mark past that range scales through the ratio, and one the ratio takes
    /// beyond what a decimal holds stays at the largest decimal.
    /// </summary>
    [Fact]
    public void TransferCash_ScalesTheMarkByTheEquity_ExactlyAsBefore_AndWithoutOverflowForAPeakPastTheProductsRange()
    {
        var ordinary = AccountLedger.Open("a", AccountType.Cash, 9_000m).StartDay(12_000m);
        var peak = AccountLedger.Open("p", AccountType.Cash, 290_000_000_000_000m).StartDay(300_000_000_000_000m);
        var beyond = AccountLedger.Open("b", AccountType.Cash, 1m).StartDay(10_000_000_000_000_000_000_000_000_000m);

        Assert.Equal(13_333.333333333333333333333333m, ordinary.TransferCash(1_000m, 9_000m).HighWaterMark);
        Assert.Equal(8_000m, ordinary.TransferCash(-3_000m, 9_000m).HighWaterMark);
        Assert.Equal(301_034_482_758_620.68965517241379m, peak.TransferCash(1_000_000_000_000m, 290_000_000_000_000m).HighWaterMark);
        Assert.Equal(decimal.MaxValue, beyond.TransferCash(1_000_000_000_000m, 1m).HighWaterMark);
    }

    [Fact]
    public void Withdrawable_IsTheFreeCash_AndOnMarginNoMoreThanTheEquityAboveInitialMargin()
    {
        var marks = new Dictionary<string, decimal> { ["SPY"] = 100m };
        var cash = AccountLedger.Open("a", AccountType.Cash, 10_000m).Reserve("o1", "SPY", OrderSide.Buy, 10m, 1_000m).GetValueOrThrow();
        var margin = AccountLedger.Open("m", AccountType.Margin, 10_000m).ApplyFill(Exec("e1", OrderSide.Buy, 50m, 100m, orderId: "o0")).Ledger;
        var levered = margin.ApplyFill(Exec("e2", OrderSide.Buy, 100m, 100m, orderId: "o2")).Ledger;

        Assert.Equal(9_000m, cash.Withdrawable(null));
        Assert.Equal(5_000m, margin.Withdrawable(margin.Value(marks).GetValueOrThrow()));
        Assert.Equal(0m, levered.Withdrawable(levered.Value(marks).GetValueOrThrow()));
        Assert.Equal(0m, margin.Withdrawable(null));
    }

    [Fact]
    public void BuyingPower_MarginAccount_IsTwiceEquityMinusGrossExposure()
    {
        var ledger = AccountLedger.Open("a", AccountType.Margin, 10_000m)
            .ApplyFill(Exec("e1", OrderSide.Buy, 100m, 100m, orderId: "o0")).Ledger;

        var valuation = ledger.Value(new Dictionary<string, decimal> { ["SPY"] = 100m }).GetValueOrThrow();
        var withReservation = ledger.Reserve("o1", "SPY", OrderSide.Buy, 10m, 1_000m).GetValueOrThrow()
            .Value(new Dictionary<string, decimal> { ["SPY"] = 100m }).GetValueOrThrow();

        Assert.Equal(0m, valuation.Cash);
        Assert.Equal(10_000m, valuation.Equity);
        Assert.Equal(5_000m, valuation.InitialMarginRequirement);
        Assert.Equal(10_000m, valuation.BuyingPower);
        Assert.Equal(9_000m, withReservation.BuyingPower);
    }

    [Fact]
    public void BuyingPower_MarginAccountWithShort_CountsShortExposure()
    {
        var ledger = AccountLedger.Open("a", AccountType.Margin, 10_000m)
            .ApplyFill(Exec("e1", OrderSide.Sell, 50m, 100m, orderId: "o0")).Ledger;

        var valuation = ledger.Value(new Dictionary<string, decimal> { ["SPY"] = 100m }).GetValueOrThrow();

        Assert.Equal(15_000m, valuation.Cash);
        Assert.Equal(-5_000m, valuation.ShortMarketValue);
        Assert.Equal(10_000m, valuation.Equity);
        Assert.Equal(15_000m, valuation.BuyingPower);
    }

    [Fact]
    public void BuyingPower_NeverNegative()
    {
        var ledger = AccountLedger.Open("a", AccountType.Cash, 100m).Reserve("o1", "SPY", OrderSide.Buy, 10m, 1_000m).GetValueOrThrow();

        Assert.Equal(0m, ledger.Value(NoMarks).GetValueOrThrow().BuyingPower);
    }

    [Fact]
    public void Value_MissingMark_IsAnErrorNotADefault()
    {
        var ledger = AccountLedger.Open("a", AccountType.Cash, 10_000m).ApplyFill(Exec("e1", OrderSide.Buy, 1m, 100m)).Ledger;

        Assert.Equal(LedgerErrorCodes.MarkMissing, ledger.Value(NoMarks).Error?.Code);
        Assert.Equal(LedgerErrorCodes.MarkInvalid, ledger.Value(new Dictionary<string, decimal> { ["SPY"] = 0m }).Error?.Code);
    }

    [Fact]
    public void OpeningQuantity_CountsOtherOpenSellsAgainstTheLong()
    {
        var ledger = AccountLedger.Open("a", AccountType.Margin, 10_000m).ApplyFill(Exec("e1", OrderSide.Buy, 100m, 10m)).Ledger;
        var withSell = ledger.Reserve("s1", "SPY", OrderSide.Sell, 100m, 0m).GetValueOrThrow();

        Assert.Equal(0m, ledger.OpeningQuantity("SPY", OrderSide.Sell, 100m));
        Assert.Equal(50m, ledger.OpeningQuantity("SPY", OrderSide.Sell, 150m));
        Assert.Equal(100m, withSell.OpeningQuantity("SPY", OrderSide.Sell, 100m));
        Assert.Equal(10m, ledger.OpeningQuantity("SPY", OrderSide.Buy, 10m));
    }

    [Fact]
    public void DayPnlAndHighWaterMark_FollowStartOfDayAndMarks()
    {
        var ledger = AccountLedger.Open("a", AccountType.Cash, 10_000m).StartDay(10_000m)
            .ApplyFill(Exec("e1", OrderSide.Buy, 100m, 100m)).Ledger;

        var up = ledger.Value(new Dictionary<string, decimal> { ["SPY"] = 110m }).GetValueOrThrow();
        var marked = ledger.MarkEquity(up.Equity);
        var down = marked.Value(new Dictionary<string, decimal> { ["SPY"] = 99m }).GetValueOrThrow();

        Assert.Equal(1_000m, up.DayPnl);
        Assert.Equal(11_000m, marked.HighWaterMark);
        Assert.Equal(-100m, down.DayPnl);
        Assert.Equal(10m, down.DrawdownPercent);
    }
}
