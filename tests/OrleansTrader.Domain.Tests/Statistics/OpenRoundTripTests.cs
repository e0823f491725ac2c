using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;
using OrleansTrader.Domain.Statistics;

namespace OrleansTrader.Domain.Tests.Statistics;

public sealed class OpenRoundTripTests
{
    private static readonly DateTimeOffset T0 = new(2024, 3, 1, 14, 30, 0, TimeSpan.Zero);

    [Fact]
    public void APositionHeldBeforeItsFillsWereFollowed_StartsAtItsAverageEntry_WithoutAnEntryTime()
    {
        var position = Position.Flat("SPY").Apply(Fill(OrderSide.Buy, 10m, 100m, 1m)).Position.Apply(Fill(OrderSide.Buy, 10m, 110m, 1m)).Position;

        var sell = Fill(OrderSide.Sell, 20m, 120m, 2m);
        var (open, trade) = OpenRoundTrip.Follow(null, position, position.Apply(sell), sell);

        Assert.Null(open);
        Assert.NotNull(trade);
        Assert.Null(trade.EntryTime);
        Assert.Equal((true, 20m, 105m, 120m, 300m, 2m), (trade.IsLong, trade.Quantity, trade.EntryPrice, trade.ExitPrice, trade.RealizedPnl, trade.Fees));
    }

    [Fact]
    public void AFlip_ClosesOneTradeAndOpensTheNext_SplittingItsFeeByQuantity()
    {
        var buy = Fill(OrderSide.Buy, 4m, 50m, 0.4m);
        var flat = Position.Flat("SPY");
        var (open, none) = OpenRoundTrip.Follow(null, flat, flat.Apply(buy), buy);
        Assert.Null(none);
        var position = flat.Apply(buy).Position;

        var flip = Fill(OrderSide.Sell, 10m, 55m, 1m) with { Timestamp = T0.AddMinutes(5) };
        var (next, trade) = OpenRoundTrip.Follow(open, position, position.Apply(flip), flip);

        Assert.Equal((true, 4m, T0, 50m, 55m, 20m, 0.8m), (trade!.IsLong, trade.Quantity, trade.EntryTime, trade.EntryPrice, trade.ExitPrice, trade.RealizedPnl, trade.Fees));
        Assert.Equal((false, 6m, T0.AddMinutes(5), 0.6m), (next!.IsLong, next.Opened, next.EntryTime, next.Fees));
    }

    [Fact]
    public void AFlip_SplitsItsFeeInWholeCents_SoTheTwoTradesReportTheFillsFeeToTheCent()
    {
        // Long 1, then a sell of 2 with a fee of 5 cents: half of it is 2.5 cents, which each trade reported as 3.
        var buy = Fill(OrderSide.Buy, 1m, 50m, 0m);
        var flat = Position.Flat("SPY");
        var (open, _) = OpenRoundTrip.Follow(null, flat, flat.Apply(buy), buy);
        var position = flat.Apply(buy).Position;

        var flip = Fill(OrderSide.Sell, 2m, 55m, 0.05m);
        var (next, trade) = OpenRoundTrip.Follow(open, position, position.Apply(flip), flip);

        Assert.Equal((0.03m, 0.02m), (trade!.Fees, next!.Fees));
        Assert.Equal(flip.Fee, Money.RoundForReport(trade.Fees) + Money.RoundForReport(next.Fees));
    }

    [Fact]
    public void AFlip_WithAFeeBelowACent_NeverGivesEitherTradeANegativeFee()
    {
        var buy = Fill(OrderSide.Buy, 5m, 50m, 0m);
        var flat = Position.Flat("SPY");
        var (open, _) = OpenRoundTrip.Follow(null, flat, flat.Apply(buy), buy);
        var position = flat.Apply(buy).Position;

        // 5 of 6 close: five sixths of 0.006 is 0.005, a cent once rounded, more than the fee.
        var flip = Fill(OrderSide.Sell, 6m, 55m, 0.006m);
        var (next, trade) = OpenRoundTrip.Follow(open, position, position.Apply(flip), flip);

        Assert.Equal((0.006m, 0m), (trade!.Fees, next!.Fees));
    }

    [Fact]
    public void AShortCoveredInPartAndAddedTo_HoldsAtThePositionsAverageEntry()
    {
        // Short 10 at 50, 4 covered at 48 (+8), 4 sold again at 46: 6 at 50 and 4 at 46 are held, an average of 48.4.
        OpenRoundTrip? open = null;
        var position = Position.Flat("SPY");
        foreach (var fill in new[] { Fill(OrderSide.Sell, 10m, 50m, 1m), Fill(OrderSide.Buy, 4m, 48m, 0.4m), Fill(OrderSide.Sell, 4m, 46m, 0.4m) })
        {
            var applied = position.Apply(fill);
            (open, _) = OpenRoundTrip.Follow(open, position, applied, fill);
            position = applied.Position;
        }

        Assert.Equal((false, 14m, 4m, 8m), (open!.IsLong, open.Opened, open.Closed, open.RealizedPnl));
        Assert.Equal(48.4m, open.HeldEntryPrice);
        Assert.Equal(position.AverageEntryPrice, open.HeldEntryPrice);
    }

    private static Execution Fill(OrderSide side, decimal quantity, decimal price, decimal fee) => new()
    {
        ExecutionId = Guid.NewGuid().ToString("N"),
        OrderId = "o",
        ClientOrderId = "c",
        Symbol = "SPY",
        Side = side,
        Quantity = quantity,
        Price = price,
        Fee = fee,
        Timestamp = T0,
    };
}
