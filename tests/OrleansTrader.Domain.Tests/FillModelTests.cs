using OrleansTrader.Domain.Fills;
using OrleansTrader.Domain.Orders;
using static OrleansTrader.Domain.Tests.Fixtures;

namespace OrleansTrader.Domain.Tests;

public sealed class FillModelTests
{
    private static SimulatedOrder Order(OrderSide side, OrderType type, decimal quantity = 100m, TimeInForce tif = TimeInForce.Gtc,
        decimal? limit = null, decimal? stop = null) => new()
    {
        Side = side,
        Type = type,
        TimeInForce = tif,
        LeavesQuantity = quantity,
        LimitPrice = limit,
        StopPrice = stop,
    };

    private static MarketSnapshot Snapshot(decimal bid = 99.99m, decimal ask = 100.01m, decimal size = 1_000m, decimal? trade = null,
        decimal tradeSize = 100m) => new()
    {
        Now = T0,
        Quote = Quote(bid, ask, size),
        Trade = trade is { } price ? Trade(price, tradeSize) : null,
    };

    private static FillDecision Run(SimulatedOrder order, MarketSnapshot market, FillModelOptions? options = null) =>
        FillModel.Evaluate(order, market, options ?? FillModelOptions.Default);

    [Fact]
    public void MarketBuy_FillsAtAskPlusSlippage()
    {
        var decision = Run(Order(OrderSide.Buy, OrderType.Market), Snapshot(), new FillModelOptions { SlippageBps = 10m });

        Assert.Equal(FillOutcome.Fill, decision.Outcome);
        Assert.Equal(100m, decision.Quantity);
        Assert.Equal(100.11001m, decision.Price); // 100.01 x 1.001
        Assert.Equal(0m, decision.Order.LeavesQuantity);
    }

    [Fact]
    public void MarketSell_FillsAtBidMinusSlippage()
    {
        var decision = Run(Order(OrderSide.Sell, OrderType.Market), Snapshot(), new FillModelOptions { SlippageBps = 10m });

        Assert.Equal(99.89001m, decision.Price); // 99.99 x 0.999
        Assert.Equal(FillReasons.Filled, decision.Reason);
    }

    [Fact]
    public void Market_NoQuote_NoFill()
    {
        var decision = Run(Order(OrderSide.Buy, OrderType.Market), new MarketSnapshot { Now = T0 });
        var oneSided = Run(Order(OrderSide.Buy, OrderType.Market), Snapshot(ask: 0m));

        Assert.Equal(FillOutcome.NoFill, decision.Outcome);
        Assert.Equal(FillReasons.QuoteMissing, decision.Reason);
        Assert.Null(decision.Price);
        Assert.Equal(FillReasons.QuoteMissing, oneSided.Reason);
    }

    [Fact]
    public void Ioc_AtAPricedTouchWithNoSizeLeft_IsCanceledNothingAvailable_NotQuoteMissingOrNotCrossed()
    {
        // Earlier fills took the displayed size: the quote is there, its price crosses the limits, nothing is left at it.
        var usedUp = Snapshot(size: 0m);

        var market = Run(Order(OrderSide.Buy, OrderType.Market, tif: TimeInForce.Ioc), usedUp);
        var crossing = Run(Order(OrderSide.Buy, OrderType.Limit, tif: TimeInForce.Fok, limit: 100.01m), usedUp);
        var belowTheAsk = Run(Order(OrderSide.Buy, OrderType.Limit, tif: TimeInForce.Ioc, limit: 100.00m), usedUp);

        Assert.Equal((FillOutcome.Cancel, FillReasons.NothingAvailable), (market.Outcome, market.Reason));
        Assert.Equal((FillOutcome.Cancel, FillReasons.NothingAvailable), (crossing.Outcome, crossing.Reason));
        Assert.Equal((FillOutcome.Cancel, FillReasons.NotCrossed), (belowTheAsk.Outcome, belowTheAsk.Reason));
    }

    [Fact]
    public void LimitBuy_NotCrossed_NoFill()
    {
        var decision = Run(Order(OrderSide.Buy, OrderType.Limit, limit: 100m), Snapshot(trade: 100m));

        Assert.Equal(FillOutcome.NoFill, decision.Outcome);
        Assert.Equal(FillReasons.NotCrossed, decision.Reason);
    }

    [Fact]
    public void LimitBuy_Marketable_FillsAtTouchNotLimit()
    {
        var decision = Run(Order(OrderSide.Buy, OrderType.Limit, limit: 101m), Snapshot());

        Assert.Equal(100.01m, decision.Price);
        Assert.Equal(100m, decision.Quantity);
    }

    [Fact]
    public void LimitSell_TradeThrough_FillsAtLimitUpToTradeSize()
    {
        var decision = Run(Order(OrderSide.Sell, OrderType.Limit, quantity: 500m, limit: 100.05m), Snapshot(trade: 100.06m, tradeSize: 200m));

        Assert.Equal(FillOutcome.Fill, decision.Outcome);
        Assert.Equal(100.05m, decision.Price);
        Assert.Equal(200m, decision.Quantity);
        Assert.Equal(300m, decision.Order.LeavesQuantity);
        Assert.Equal(FillReasons.PartiallyFilled, decision.Reason);
    }

    [Fact]
    public void LimitBuy_TouchLeftBelowOneShare_StillFillsAtTheLimitOnAPrintThroughIt()
    {
        // Earlier fills in whole shares took 95 of an ask displayed as 95.5: the half share left cannot fill a whole-share
        // order, so the touch is used up for it and the trade through the limit fills it, as when nothing is left.
        var decision = Run(Order(OrderSide.Buy, OrderType.Limit, quantity: 300m, limit: 100.9m),
            Snapshot(bid: 100.7m, ask: 100.71m, size: 0.5m, trade: 100.83m, tradeSize: 107m));

        Assert.Equal(FillOutcome.Fill, decision.Outcome);
        Assert.Equal(100.9m, decision.Price);
        Assert.Equal(107m, decision.Quantity);
    }

    [Fact]
    public void StopBuy_TriggersOnTrade_ThenFillsAtAsk()
    {
        var order = Order(OrderSide.Buy, OrderType.Stop, stop: 100.5m);

        var below = Run(order, Snapshot(trade: 100.4m));
        var hit = Run(order, Snapshot(bid: 100.49m, ask: 100.52m, trade: 100.5m));

        Assert.Equal(FillReasons.NotTriggered, below.Reason);
        Assert.False(below.Order.Triggered);
        Assert.Equal(FillOutcome.Fill, hit.Outcome);
        Assert.Equal(100.52m, hit.Price);
        Assert.True(hit.Order.Triggered);
    }

    [Fact]
    public void StopSell_WithoutTrade_DoesNotTrigger()
    {
        var decision = Run(Order(OrderSide.Sell, OrderType.Stop, stop: 101m), Snapshot());

        Assert.Equal(FillReasons.NotTriggered, decision.Reason);
    }

    [Fact]
    public void StopLimit_Triggered_BehavesAsLimit()
    {
        var order = Order(OrderSide.Sell, OrderType.StopLimit, stop: 99m, limit: 98.9m);

        var triggeredNotMarketable = Run(order, Snapshot(bid: 98.5m, ask: 98.6m, trade: 98.8m));
        var later = Run(triggeredNotMarketable.Order, Snapshot(bid: 98.95m, ask: 99m));

        Assert.True(triggeredNotMarketable.Order.Triggered);
        Assert.Equal(FillOutcome.NoFill, triggeredNotMarketable.Outcome);
        Assert.Equal(FillReasons.NotCrossed, triggeredNotMarketable.Reason);
        Assert.Equal(98.95m, later.Price);
    }

    [Fact]
    public void TrailingStopSell_ByPrice_TracksHighWaterMark()
    {
        var order = Order(OrderSide.Sell, OrderType.TrailingStop) with { TrailPrice = 1m };

        var first = Run(order, Snapshot(trade: 100m));
        var higher = Run(first.Order, Snapshot(trade: 102m));
        var dip = Run(higher.Order, Snapshot(trade: 101.5m));
        var hit = Run(dip.Order, Snapshot(bid: 100.9m, ask: 101.1m, trade: 101m));

        Assert.Equal(100m, first.Order.WaterMark);
        Assert.Equal(102m, higher.Order.WaterMark);
        Assert.Equal(101m, higher.Order.TrailingStopPrice);
        Assert.Equal(FillReasons.NotTriggered, dip.Reason);
        Assert.Equal(102m, dip.Order.WaterMark);
        Assert.Equal(FillOutcome.Fill, hit.Outcome);
        Assert.Equal(100.9m, hit.Price);
    }

    [Fact]
    public void TrailingStopBuy_ByPercent_TracksLowWaterMark()
    {
        var order = Order(OrderSide.Buy, OrderType.TrailingStop) with { TrailPercent = 2m };

        var low = Run(Run(order, Snapshot(trade: 100m)).Order, Snapshot(trade: 95m));
        var notYet = Run(low.Order, Snapshot(trade: 96.8m));
        var hit = Run(notYet.Order, Snapshot(bid: 96.9m, ask: 96.95m, trade: 96.9m));

        Assert.Equal(95m, low.Order.WaterMark);
        Assert.Equal(96.9m, low.Order.TrailingStopPrice);
        Assert.Equal(FillReasons.NotTriggered, notYet.Reason);
        Assert.Equal(FillOutcome.Fill, hit.Outcome);
        Assert.Equal(96.95m, hit.Price);
    }

    [Fact]
    public void Partial_BoundedByDisplayedSize()
    {
        var decision = Run(Order(OrderSide.Buy, OrderType.Market, quantity: 500m), Snapshot(size: 300m));

        Assert.Equal(FillOutcome.Fill, decision.Outcome);
        Assert.Equal(300m, decision.Quantity);
        Assert.Equal(200m, decision.Order.LeavesQuantity);
    }

    [Fact]
    public void Partial_BoundedByParticipationOfTradeVolume()
    {
        var options = new FillModelOptions { ParticipationRate = 0.1m };

        var withTrade = Run(Order(OrderSide.Buy, OrderType.Market, quantity: 500m), Snapshot(trade: 100m, tradeSize: 1_234m), options);
        var noTrade = Run(Order(OrderSide.Buy, OrderType.Market, quantity: 500m), Snapshot(), options);

        Assert.Equal(123m, withTrade.Quantity); // 10% of 1,234 rounded down to whole shares
        Assert.Equal(FillOutcome.NoFill, noTrade.Outcome);
        Assert.Equal(FillReasons.NothingAvailable, noTrade.Reason);
    }

    [Fact]
    public void Ioc_FillsAvailable_CancelsRemainder()
    {
        var decision = Run(Order(OrderSide.Buy, OrderType.Market, quantity: 500m, tif: TimeInForce.Ioc), Snapshot(size: 300m));
        var nothing = Run(Order(OrderSide.Buy, OrderType.Limit, tif: TimeInForce.Ioc, limit: 99m), Snapshot());

        Assert.Equal(FillOutcome.Cancel, decision.Outcome);
        Assert.Equal(300m, decision.Quantity);
        Assert.Equal(100.01m, decision.Price);
        Assert.Equal(FillReasons.IocRemainderCanceled, decision.Reason);
        Assert.Equal(FillOutcome.Cancel, nothing.Outcome);
        Assert.Equal(0m, nothing.Quantity);
    }

    [Fact]
    public void Fok_AllOrNothing()
    {
        var partial = Run(Order(OrderSide.Buy, OrderType.Market, quantity: 500m, tif: TimeInForce.Fok), Snapshot(size: 300m));
        var full = Run(Order(OrderSide.Buy, OrderType.Market, quantity: 300m, tif: TimeInForce.Fok), Snapshot(size: 300m));

        Assert.Equal(FillOutcome.Cancel, partial.Outcome);
        Assert.Equal(0m, partial.Quantity);
        Assert.Null(partial.Price);
        Assert.Equal(FillReasons.FokNotFillable, partial.Reason);
        Assert.Equal(FillOutcome.Fill, full.Outcome);
        Assert.Equal(300m, full.Quantity);
    }

    [Fact]
    public void Day_ExpiresAtTheGivenClose()
    {
        var order = Order(OrderSide.Buy, OrderType.Limit, tif: TimeInForce.Day, limit: 99m) with { ExpiresAt = T0 };

        var atClose = Run(order, Snapshot());
        var before = Run(order with { ExpiresAt = T0.AddSeconds(1) }, Snapshot());

        Assert.Equal(FillOutcome.Expire, atClose.Outcome);
        Assert.Equal(FillReasons.DayExpired, atClose.Reason);
        Assert.Equal(FillOutcome.NoFill, before.Outcome);
    }

    [Fact]
    public void Opg_FillsOnlyAtOpeningPrint()
    {
        var order = Order(OrderSide.Buy, OrderType.Market, tif: TimeInForce.Opg);

        var waiting = Run(order, Snapshot());
        var open = Run(order, Snapshot() with { OpeningPrint = 100.2m });

        Assert.Equal(FillReasons.AuctionPending, waiting.Reason);
        Assert.Equal(FillOutcome.Fill, open.Outcome);
        Assert.Equal(100.2m, open.Price);
        Assert.Equal(100m, open.Quantity);
    }

    [Fact]
    public void Cls_LimitMissedByClosingPrint_IsCanceled()
    {
        var order = Order(OrderSide.Sell, OrderType.Limit, tif: TimeInForce.Cls, limit: 101m);

        var missed = Run(order, Snapshot() with { ClosingPrint = 100.5m, OpeningPrint = 102m });
        var met = Run(order, Snapshot() with { ClosingPrint = 101.5m });

        Assert.Equal(FillOutcome.Cancel, missed.Outcome);
        Assert.Equal(FillReasons.AuctionLimitNotMet, missed.Reason);
        Assert.Equal(101.5m, met.Price);
    }
}
