using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;
using static OrleansTrader.Domain.Tests.Fixtures;

namespace OrleansTrader.Domain.Tests;

public sealed class PositionTests
{
    [Fact]
    public void Apply_RoundTripWithFeesBothWays_NetEqualsCashChange()
    {
        var ledger = AccountLedger.Open("a", AccountType.Margin, 10_000m);

        var buy = ledger.ApplyFill(Exec("e1", OrderSide.Buy, 100m, 10m, fee: 1m));
        var sell = buy.Ledger.ApplyFill(Exec("e2", OrderSide.Sell, 100m, 11m, fee: 1.5m));

        Assert.Equal(0m, buy.Fill.RealizedPnl);
        Assert.Equal(100m, sell.Fill.RealizedPnl);
        Assert.Equal(100m, sell.Ledger.RealizedPnlTotal);
        Assert.Equal(2.5m, sell.Ledger.FeesTotal);
        Assert.Equal(97.5m, sell.Ledger.NetRealizedPnl);
        Assert.Equal(10_097.5m, sell.Ledger.Cash);
        Assert.Equal(-1_001m, buy.CashChange);
        Assert.Equal(1_098.5m, sell.CashChange);
        Assert.True(sell.Ledger.PositionOf("SPY").IsFlat);
    }

    [Fact]
    public void Apply_PartialClose_RealizesClosedPartAndKeepsAverage()
    {
        var position = Position.Flat("SPY").Apply(Exec("e1", OrderSide.Buy, 100m, 10m)).Position;

        var result = position.Apply(Exec("e2", OrderSide.Sell, 40m, 12m));

        Assert.Equal(80m, result.RealizedPnl);
        Assert.Equal(40m, result.ClosedQuantity);
        Assert.Equal(60m, result.Position.Quantity);
        Assert.Equal(10m, result.Position.AverageEntryPrice);
    }

    [Fact]
    public void Apply_AddToPosition_AveragesEntryAndRealizesAgainstIt()
    {
        var position = Position.Flat("SPY")
            .Apply(Exec("e1", OrderSide.Buy, 100m, 10m)).Position
            .Apply(Exec("e2", OrderSide.Buy, 100m, 12m)).Position;

        var result = position.Apply(Exec("e3", OrderSide.Sell, 200m, 11.5m));

        Assert.Equal(11m, position.AverageEntryPrice);
        Assert.Equal(200m, position.Quantity);
        Assert.Equal(100m, result.RealizedPnl);
        Assert.True(result.Position.IsFlat);
        Assert.Equal(0m, result.Position.AverageEntryPrice);
    }

    [Fact]
    public void Apply_FlipLongToShort_ClosesOldSideAndOpensNewAtFillPrice()
    {
        var position = Position.Flat("SPY").Apply(Exec("e1", OrderSide.Buy, 100m, 10m)).Position;

        var result = position.Apply(Exec("e2", OrderSide.Sell, 150m, 9m, fee: 2m));

        Assert.Equal(-100m, result.RealizedPnl);
        Assert.Equal(100m, result.ClosedQuantity);
        Assert.Equal(-50m, result.Position.Quantity);
        Assert.Equal(9m, result.Position.AverageEntryPrice);
        Assert.Equal(2m, result.Position.FeesPaid);
        Assert.Equal(-102m, result.Position.NetRealizedPnl);
    }

    [Fact]
    public void Apply_ShortCover_RealizesGainWhenPriceFell()
    {
        var position = Position.Flat("SPY").Apply(Exec("e1", OrderSide.Sell, 100m, 20m)).Position;

        var result = position.Apply(Exec("e2", OrderSide.Buy, 100m, 18m));

        Assert.Equal(-100m, position.Quantity);
        Assert.Equal(200m, result.RealizedPnl);
        Assert.True(result.Position.IsFlat);
    }

    [Fact]
    public void Apply_FlipShortToLong_RealizesAndOpensLong()
    {
        var position = Position.Flat("SPY").Apply(Exec("e1", OrderSide.Sell, 100m, 20m)).Position;

        var result = position.Apply(Exec("e2", OrderSide.Buy, 130m, 21m));

        Assert.Equal(-100m, result.RealizedPnl);
        Assert.Equal(30m, result.Position.Quantity);
        Assert.Equal(21m, result.Position.AverageEntryPrice);
    }

    [Fact]
    public void UnrealizedPnl_AtMark_ForLongAndShort()
    {
        var longPosition = Position.Flat("SPY").Apply(Exec("e1", OrderSide.Buy, 10m, 100m)).Position;
        var shortPosition = Position.Flat("SPY").Apply(Exec("e2", OrderSide.Sell, 10m, 100m)).Position;

        Assert.Equal(50m, longPosition.UnrealizedPnl(105m));
        Assert.Equal(-50m, shortPosition.UnrealizedPnl(105m));
        Assert.Equal(-1_050m, shortPosition.MarketValue(105m));
    }

    [Fact]
    public void Apply_Throws_ForWrongSymbolOrNonPositiveQuantity()
    {
        var position = Position.Flat("SPY");

        Assert.Throws<ArgumentException>(() => position.Apply(Exec("e1", OrderSide.Buy, 10m, 100m, symbol: "IBM")));
        Assert.Throws<ArgumentException>(() => position.Apply(Exec("e1", OrderSide.Buy, 0m, 100m)));
    }

    [Fact]
    public void RoundForReport_RoundsHalfAwayFromZero()
    {
        Assert.Equal(1.01m, Money.RoundForReport(1.005m));
        Assert.Equal(-1.01m, Money.RoundForReport(-1.005m));
        Assert.Equal(2.67m, Money.RoundForReport(2.665m));
        Assert.Equal(0.03m, Money.CeilingToCent(0.0278278m));
    }
    [Theory]
    [InlineData(150060, 100000, "150060.00", "100000.00")]
    [InlineData(100000.004, 100000, "100000.004", "100000.000")]
    [InlineData(10000.0041, 10000.004, "10000.0041", "10000.0040")]
    [InlineData(-5000.001, -5000, "-5000.001", "-5000.000")]
    [InlineData(100000, 100000, "100000.00", "100000.00")]
    public void TextAgainst_HasTwoDecimals_UnlessCentsWouldMakeTheAmountReadAsItsBound(decimal amount, decimal bound, string amountText, string boundText) =>
        Assert.Equal((amountText, boundText), Money.TextAgainst(amount, bound));
}
