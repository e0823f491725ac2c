using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Fees;
using OrleansTrader.Domain.Fills;
using OrleansTrader.Domain.Instruments;
using OrleansTrader.Domain.Orders;
using static OrleansTrader.Brokers.Tests.Paper.PaperHarness;

namespace OrleansTrader.Brokers.Tests.Paper;

public sealed class PaperExchangeMatchingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MarketBuy_FillsAtAskPlusSlippage_WithTheAccountsFee()
    {
        var perShare = new PaperAccountSettings { FeeModel = new FeeModelSpec { Kind = FeeModelKind.PerShare, PerShareRate = 0.005m, MinimumPerOrder = 1.00m } };
        await using var venue = await StartAsync(o => o.FillModel = new FillModelOptions { SlippageBps = 10m }, perShare);
        await venue.QuoteAsync(99.90m, 100.00m);

        var order = await venue.SubmitAsync(Request("mkt-buy", OrderSide.Buy, OrderType.Market, 100m));

        var fill = Assert.Single(await venue.WaitForAsync(order.OrderId, ExecutionReportKind.Fill));
        Assert.Equal(100.10m, fill.Execution!.Price);
        Assert.Equal(100m, fill.Execution.Quantity);
        Assert.Equal(1.00m, fill.Execution.Fee);
        Assert.Equal(Liquidity.Taker, fill.Execution.Liquidity);
        Assert.Equal($"{order.OrderId}-1", fill.Execution.ExecutionId);
        Assert.Equal(new BrokerPosition("AAPL", 100m, 100.10m), Assert.Single(await venue.Client.GetPositionsAsync(Ct)));
    }

    // docs/paper-exchange.md's example: slippage moves a marketable limit's fill against it but never past the limit, on
    // either side (a buy at 100.36 against 100.35 with 2.5 bps, not 100.3750875; a sell at 100.34, not 100.3249125).
    [Fact]
    public async Task MarketableLimits_FillAtTheTouchMovedBySlippage_ButNeverPastTheirLimit()
    {
        await using var venue = await StartAsync(o => o.FillModel = new FillModelOptions { SlippageBps = 2.5m });
        await venue.QuoteAsync(100.35m, 100.35m);

        var buy = await venue.SubmitAsync(Request("slip-buy", OrderSide.Buy, OrderType.Limit, 10m, limit: 100.36m));
        var sell = await venue.SubmitAsync(Request("slip-sell", OrderSide.Sell, OrderType.Limit, 10m, limit: 100.34m));
        var roomy = await venue.SubmitAsync(Request("slip-roomy", OrderSide.Buy, OrderType.Limit, 10m, limit: 100.40m));

        var prices = new List<(decimal, Liquidity)>();
        foreach (var order in new[] { buy, sell, roomy })
        {
            var execution = Assert.Single(await venue.WaitForAsync(order.OrderId, ExecutionReportKind.Fill)).Execution!;
            prices.Add((execution.Price, execution.Liquidity));
        }

        Assert.Equal([(100.36m, Liquidity.Taker), (100.34m, Liquidity.Taker), (100.3750875m, Liquidity.Taker)], prices);
    }

    [Fact]
    public async Task MarketSell_PaysTheRegulatoryFees_OfTheDefaultFeeModel()
    {
        await using var venue = await StartAsync(o => o.FillModel = new FillModelOptions { SlippageBps = 10m });
        await venue.QuoteAsync(99.90m, 100.00m);

        var order = await venue.SubmitAsync(Request("mkt-sell", OrderSide.Sell, OrderType.Market, 100m));

        var fill = Assert.Single(await venue.WaitForAsync(order.OrderId, ExecutionReportKind.Fill));
        Assert.Equal(99.8001m, fill.Execution!.Price);

        // At the rates of the trade date, 2026-03-10: SEC Section 31 $0.00 per million (until 2026-04-03);
        // FINRA TAF 100 x $0.000195 = 0.0195 -> 0.02. (The undated fixed rates would bill 0.28 + 0.02.)
        Assert.Equal(0.02m, fill.Execution.Fee);
        Assert.Equal(new BrokerPosition("AAPL", -100m, 99.8001m), Assert.Single(await venue.Client.GetPositionsAsync(Ct)));
    }

    [Fact]
    public async Task Limit_DoesNotFill_UntilATradePrintsThroughIt()
    {
        await using var venue = await StartAsync();
        await venue.QuoteAsync(100.00m, 100.10m);
        var order = await venue.SubmitAsync(Request("lmt", OrderSide.Buy, OrderType.Limit, 50m, limit: 99.90m));
        await venue.WaitForAsync(order.OrderId, ExecutionReportKind.Accepted);

        await venue.QuoteAsync(99.95m, 100.00m);
        await venue.TradeAsync(99.95m, 500m);
        await venue.TradeAsync(99.90m, 500m);
        Assert.Equal(0m, (await venue.OrderAsync(order.OrderId)).FilledQuantity);

        await venue.TradeAsync(99.89m, 30m);
        await venue.TradeAsync(99.85m, 100m);

        var fills = await venue.Reports!.WaitForAsync(r => r.Order.OrderId == order.OrderId && r.Execution is not null, 2);
        Assert.Equal([30m, 20m], fills.Select(f => f.Execution!.Quantity));
        Assert.All(fills, f => Assert.Equal(99.90m, f.Execution!.Price));
        Assert.All(fills, f => Assert.Equal(Liquidity.Maker, f.Execution!.Liquidity));
        Assert.Equal([ExecutionReportKind.PartialFill, ExecutionReportKind.Fill], fills.Select(f => f.Kind));
        Assert.Equal(OrderStatus.Filled, (await venue.OrderAsync(order.OrderId)).Status);
    }

    [Fact]
    public async Task Stop_TriggersOnATradeAtTheStop_AndFillsAtTheTouch()
    {
        await using var venue = await StartAsync();
        await venue.QuoteAsync(95.40m, 95.50m);
        var order = await venue.SubmitAsync(Request("stop", OrderSide.Sell, OrderType.Stop, 10m, stop: 95.00m));

        await venue.QuoteAsync(94.90m, 95.10m);
        await venue.TradeAsync(95.01m, 100m);
        Assert.Equal(OrderStatus.Accepted, (await venue.OrderAsync(order.OrderId)).Status);

        await venue.TradeAsync(95.00m, 100m);

        var fill = Assert.Single(await venue.WaitForAsync(order.OrderId, ExecutionReportKind.Fill));
        Assert.Equal(94.90m, fill.Execution!.Price);
        Assert.Equal(10m, fill.Execution.Quantity);
    }

    [Fact]
    public async Task Ioc_FillsTheDisplayedSize_AndCancelsTheRemainder()
    {
        await using var venue = await StartAsync();
        await venue.QuoteAsync(100.00m, 100.10m, askSize: 30m);

        var order = await venue.SubmitAsync(Request("ioc", OrderSide.Buy, OrderType.Limit, 50m, limit: 100.10m, tif: TimeInForce.Ioc));

        await venue.WaitForAsync(order.OrderId, ExecutionReportKind.Canceled);
        Assert.Equal(
            [ExecutionReportKind.Accepted, ExecutionReportKind.PartialFill, ExecutionReportKind.Canceled],
            venue.ReportsFor(order.OrderId).Select(r => r.Kind));
        var canceled = venue.ReportsFor(order.OrderId)[^1];
        Assert.Equal(FillReasons.IocRemainderCanceled, canceled.Reason);
        var final = await venue.OrderAsync(order.OrderId);
        Assert.Equal(OrderStatus.Canceled, final.Status);
        Assert.Equal(30m, final.FilledQuantity);
    }

    [Fact]
    public async Task Fok_FillsNothing_WhenTheWholeQuantityIsNotAvailable()
    {
        await using var venue = await StartAsync();
        await venue.QuoteAsync(100.00m, 100.10m, askSize: 30m);

        var order = await venue.SubmitAsync(Request("fok-miss", OrderSide.Buy, OrderType.Limit, 50m, limit: 100.10m, tif: TimeInForce.Fok));

        var canceled = Assert.Single(await venue.WaitForAsync(order.OrderId, ExecutionReportKind.Canceled));
        Assert.Equal(FillReasons.FokNotFillable, canceled.Reason);
        Assert.DoesNotContain(venue.ReportsFor(order.OrderId), r => r.Execution is not null);
        Assert.Equal(0m, (await venue.OrderAsync(order.OrderId)).FilledQuantity);
        Assert.Empty(await venue.Client.GetPositionsAsync(Ct));
    }

    [Fact]
    public async Task Fok_FillsEverything_WhenTheWholeQuantityIsAvailable()
    {
        await using var venue = await StartAsync();
        await venue.QuoteAsync(100.00m, 100.10m, askSize: 50m);

        var order = await venue.SubmitAsync(Request("fok-hit", OrderSide.Buy, OrderType.Limit, 50m, limit: 100.10m, tif: TimeInForce.Fok));

        var fill = Assert.Single(await venue.WaitForAsync(order.OrderId, ExecutionReportKind.Fill));
        Assert.Equal(50m, fill.Execution!.Quantity);
        Assert.Equal(100.10m, fill.Execution.Price);
    }

    [Fact]
    public async Task MarketOrder_StaysWorking_WhileThereIsNoQuote()
    {
        await using var venue = await StartAsync();

        var order = await venue.SubmitAsync(Request("no-quote", OrderSide.Buy, OrderType.Market, 10m, symbol: "MSFT"));
        await venue.WaitForAsync(order.OrderId, ExecutionReportKind.Accepted);
        await venue.TradeAsync(400m, 1_000m, symbol: "MSFT");

        var working = await venue.OrderAsync(order.OrderId);
        Assert.Equal(OrderStatus.Accepted, working.Status);
        Assert.Equal(0m, working.FilledQuantity);
        Assert.Empty(await venue.Client.GetExecutionsSinceAsync(Start, Ct));

        await venue.QuoteAsync(400.00m, 400.05m, symbol: "MSFT");

        var fill = Assert.Single(await venue.WaitForAsync(order.OrderId, ExecutionReportKind.Fill));
        Assert.Equal(400.05m, fill.Execution!.Price);
    }

    [Fact]
    public async Task DisplayedSize_IsSharedByOrders_SoTwoOrdersNeverFillTheSameShares()
    {
        await using var venue = await StartAsync();
        var first = await venue.SubmitAsync(Request("share-1", OrderSide.Buy, OrderType.Limit, 60m, limit: 100.10m));
        var second = await venue.SubmitAsync(Request("share-2", OrderSide.Buy, OrderType.Limit, 60m, limit: 100.10m));

        await venue.QuoteAsync(100.00m, 100.10m, askSize: 100m);

        Assert.Equal(60m, (await venue.OrderAsync(first.OrderId)).FilledQuantity);
        Assert.Equal(40m, (await venue.OrderAsync(second.OrderId)).FilledQuantity);
        Assert.Equal(new BrokerPosition("AAPL", 100m, 100.10m), Assert.Single(await venue.Client.GetPositionsAsync(Ct)));
    }

    [Fact]
    public async Task PrintThroughTheLimit_FillsAtTheLimitFromTheTradesSize_WhenTheTouchHasLessThanAShareLeft()
    {
        await using var venue = await StartAsync();
        await venue.QuoteAsync(100.70m, 100.71m, askSize: 95.5m);
        var first = await venue.SubmitAsync(Request("half-left-1", OrderSide.Buy, OrderType.Limit, 300m, limit: 100.90m));
        var second = await venue.SubmitAsync(Request("half-left-2", OrderSide.Buy, OrderType.Limit, 300m, limit: 100.90m));

        // The first order took 95 whole shares of the 95.5 displayed; the half share left fills no whole-share order.
        await venue.TradeAsync(100.83m, 107m);

        var firstFills = await venue.Client.GetExecutionsSinceAsync(Start, Ct);
        Assert.Equal([(95m, 100.71m, Liquidity.Taker), (107m, 100.90m, Liquidity.Maker)],
            firstFills.Where(e => e.OrderId == first.OrderId).Select(e => (e.Quantity, e.Price, e.Liquidity)));
        Assert.Equal(202m, (await venue.OrderAsync(first.OrderId)).FilledQuantity);

        // The print's 107 shares went to the first order: the second gets none of them.
        Assert.Equal(0m, (await venue.OrderAsync(second.OrderId)).FilledQuantity);
    }

    [Fact]
    public async Task Submit_ThrowsRejectedWithTheValidatorsReason_AndKeepsNothing_WhenThePriceIsOffTick()
    {
        await using var venue = await StartAsync();

        var error = await Assert.ThrowsAsync<BrokerException>(() => venue.SubmitAsync(Request("off-tick", OrderSide.Buy, OrderType.Limit, 10m, limit: 100.001m)));

        Assert.Equal(BrokerErrorKind.Rejected, error.Kind);
        Assert.Contains(OrderErrorCodes.PriceNotTickAligned, error.Message, StringComparison.Ordinal);
        Assert.Null(await venue.Client.GetOrderByClientOrderIdAsync("off-tick", Ct));
        Assert.Empty(await venue.Client.ListOpenOrdersAsync(Ct));
    }

    [Fact]
    public async Task Submit_ThrowsRejected_WhenTheSymbolIsNotListedAndUnlistedSymbolsAreRefused()
    {
        await using var venue = await StartAsync(o => o.AcceptUnlistedSymbols = false);

        var error = await Assert.ThrowsAsync<BrokerException>(() => venue.SubmitAsync(Request("unlisted", OrderSide.Buy, OrderType.Market, 1m)));

        Assert.Equal(BrokerErrorKind.Rejected, error.Kind);
        Assert.StartsWith("SYMBOL_UNKNOWN", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Submit_ThrowsRejectedAndKeepsNothing_WhenTheListedSymbolIsNotTradable()
    {
        await using var venue = await StartAsync(o => o.Instruments.Add(new Instrument { Symbol = "NOTR", Tradable = false }));

        var error = await Assert.ThrowsAsync<BrokerException>(() => venue.SubmitAsync(Request("not-tradable", OrderSide.Buy, OrderType.Limit, 1m, limit: 10m, symbol: "NOTR")));

        Assert.Equal((BrokerErrorKind.Rejected, "SYMBOL_NOT_TRADABLE: NOTR is not tradable."), (error.Kind, error.Message));
        Assert.Null(await venue.Client.GetOrderByClientOrderIdAsync("not-tradable", Ct));
    }

    [Fact]
    public async Task TrailingStop_FollowsTheHighAndTriggersOnTheTrail()
    {
        await using var venue = await StartAsync();
        await venue.QuoteAsync(99.90m, 100.00m);
        var request = Request("trail", OrderSide.Sell, OrderType.TrailingStop, 10m) with { TrailPrice = 2.00m };
        var order = await venue.SubmitAsync(request);
        Assert.Null(order.HighWaterMark);

        await venue.TradeAsync(100.00m, 100m);
        await venue.TradeAsync(104.00m, 100m);
        await venue.TradeAsync(102.50m, 100m);
        var trailing = await venue.OrderAsync(order.OrderId);
        Assert.Equal(OrderStatus.Accepted, trailing.Status);
        Assert.Equal((104.00m, 102.00m), (trailing.HighWaterMark, trailing.StopPrice));

        await venue.QuoteAsync(101.90m, 102.00m);
        await venue.TradeAsync(102.00m, 100m);

        var fill = Assert.Single(await venue.WaitForAsync(order.OrderId, ExecutionReportKind.Fill));
        Assert.Equal(101.90m, fill.Execution!.Price);
    }

    [Fact]
    public async Task StopLimit_IsNotFilledThroughItsLimit_ByTheTradeThatTriggersIt()
    {
        await using var venue = await StartAsync();
        await venue.QuoteAsync(98.40m, 98.90m);
        var order = await venue.SubmitAsync(Request("stop-limit", OrderSide.Sell, OrderType.StopLimit, 10m, limit: 98.50m, stop: 99.00m));

        // The print at 98.80 triggers the stop; the order was not resting at 98.50 when it printed, and the bid is below the limit.
        await venue.TradeAsync(98.80m, 100m);
        var triggered = await venue.OrderAsync(order.OrderId);
        Assert.Equal((OrderStatus.Accepted, 0m), (triggered.Status, triggered.FilledQuantity));

        // Resting now, a later print through the limit fills it there.
        await venue.TradeAsync(98.70m, 100m);
        var fill = Assert.Single(await venue.WaitForAsync(order.OrderId, ExecutionReportKind.Fill));
        Assert.Equal((98.50m, Liquidity.Maker), (fill.Execution!.Price, fill.Execution.Liquidity));
    }

    [Fact]
    public async Task TrailingStop_Replaced_KeepsItsWaterMark_AndSetsTheNewTrailOffIt()
    {
        await using var venue = await StartAsync();
        await venue.QuoteAsync(108.40m, 108.50m);
        var order = await venue.SubmitAsync(Request("trail-replace", OrderSide.Sell, OrderType.TrailingStop, 10m, tif: TimeInForce.Gtc) with { TrailPrice = 2.00m });
        await venue.TradeAsync(100.00m, 100m);
        await venue.TradeAsync(110.00m, 100m);
        await venue.TradeAsync(108.50m, 100m);

        var tightened = await venue.Client.ReplaceOrderAsync(order.OrderId, new OrderReplacement { TrailPrice = 1.00m }, Ct);

        Assert.Equal((110.00m, 109.00m), (tightened.HighWaterMark, tightened.StopPrice));
        await venue.TradeAsync(108.50m, 100m);
        Assert.Equal(108.40m, Assert.Single(await venue.WaitForAsync(tightened.OrderId, ExecutionReportKind.Fill)).Execution!.Price);
    }

    [Fact]
    public async Task TrailingStopByPercent_StandsOnTheTick_AsTheBacktesterPlacesIt_AndTriggersOnlyThere()
    {
        await using var venue = await StartAsync();
        await venue.QuoteAsync(169.50m, 169.60m);
        var order = await venue.SubmitAsync(Request("trail-tick", OrderSide.Sell, OrderType.TrailingStop, 10m, tif: TimeInForce.Gtc) with { TrailPercent = 0.5m });
        await venue.TradeAsync(170.43m, 100m);

        // 170.43 less 0.5% is 169.57785: a sell stop rounds down, to 169.57.
        var trailing = await venue.OrderAsync(order.OrderId);
        Assert.Equal((170.43m, 169.57m), (trailing.HighWaterMark, trailing.StopPrice));

        // A print below the unrounded level but above the tick level does not trigger it.
        await venue.TradeAsync(169.575m, 100m);
        var above = await venue.OrderAsync(order.OrderId);
        Assert.Equal((OrderStatus.Accepted, 0m), (above.Status, above.FilledQuantity));

        await venue.TradeAsync(169.57m, 100m);
        Assert.Equal(169.50m, Assert.Single(await venue.WaitForAsync(order.OrderId, ExecutionReportKind.Fill)).Execution!.Price);
    }

    [Fact]
    public async Task TrailingStop_ReplacedWithATrailPercent_TrailsByThePercentInsteadOfItsPrice()
    {
        await using var venue = await StartAsync();
        await venue.QuoteAsync(108.40m, 108.50m);
        var order = await venue.SubmitAsync(Request("trail-kind", OrderSide.Sell, OrderType.TrailingStop, 10m, tif: TimeInForce.Gtc) with { TrailPrice = 2.00m });
        await venue.TradeAsync(100.00m, 100m);
        await venue.TradeAsync(110.00m, 100m);

        var byPercent = await venue.Client.ReplaceOrderAsync(order.OrderId, new OrderReplacement { TrailPercent = 1m }, Ct);

        Assert.Equal((null, 1m), (byPercent.TrailPrice, byPercent.TrailPercent));
        Assert.Equal((110.00m, 108.90m), (byPercent.HighWaterMark, byPercent.StopPrice));
    }

    [Fact]
    public async Task TriggeredStop_Replaced_StaysTriggered_AndFillsOnTheNextBid()
    {
        await using var venue = await StartAsync();
        await venue.QuoteAsync(0m, 95.50m, bidSize: 0m);
        var order = await venue.SubmitAsync(Request("stop-replace", OrderSide.Sell, OrderType.Stop, 10m, stop: 95.00m, tif: TimeInForce.Gtc));
        await venue.TradeAsync(94.90m, 100m);

        // Triggered, it is a market order that waits for a bid; a smaller quantity does not undo the trigger.
        var smaller = await venue.Client.ReplaceOrderAsync(order.OrderId, new OrderReplacement { Quantity = 5m }, Ct);
        await venue.QuoteAsync(95.90m, 96.00m);

        var fill = Assert.Single(await venue.WaitForAsync(smaller.OrderId, ExecutionReportKind.Fill));
        Assert.Equal((95.90m, 5m), (fill.Execution!.Price, fill.Execution.Quantity));
    }

    [Fact]
    public async Task TriggeredStop_ReplacedWithAnotherStopPrice_IsArmedAgain_AndWaitsForATradeAtItsNewStop()
    {
        await using var venue = await StartAsync();
        await venue.QuoteAsync(0m, 95.50m, bidSize: 0m);
        var order = await venue.SubmitAsync(Request("stop-moved", OrderSide.Sell, OrderType.Stop, 10m, stop: 95.00m, tif: TimeInForce.Gtc));
        await venue.TradeAsync(94.90m, 100m);

        // A moved stop is a new trigger level: the trigger the old level took does not carry over.
        var lowered = await venue.Client.ReplaceOrderAsync(order.OrderId, new OrderReplacement { StopPrice = 94.00m }, Ct);
        await venue.QuoteAsync(95.90m, 96.00m);

        var waiting = await venue.OrderAsync(lowered.OrderId);
        Assert.Equal((OrderStatus.Accepted, 0m), (waiting.Status, waiting.FilledQuantity));
        await venue.TradeAsync(94.00m, 100m);
        var fill = Assert.Single(await venue.WaitForAsync(lowered.OrderId, ExecutionReportKind.Fill));
        Assert.Equal((95.90m, 10m), (fill.Execution!.Price, fill.Execution.Quantity));
    }

    [Fact]
    public async Task Halt_RejectsNewOrdersAndStopsMatching_UntilTradingResumes()
    {
        await using var venue = await StartAsync();
        await venue.QuoteAsync(99.90m, 100.00m);
        var resting = await venue.SubmitAsync(Request("pre-halt", OrderSide.Buy, OrderType.Limit, 10m, limit: 99.00m));

        venue.Exchange.HaltTrading("AAPL", "LULD pause");
        var error = await Assert.ThrowsAsync<BrokerException>(() => venue.SubmitAsync(Request("in-halt", OrderSide.Buy, OrderType.Market, 1m)));
        await venue.QuoteAsync(98.90m, 99.00m);

        Assert.Equal(BrokerErrorKind.Rejected, error.Kind);
        Assert.Equal("TRADING_HALTED: LULD pause", error.Message);
        Assert.Equal(0m, (await venue.OrderAsync(resting.OrderId)).FilledQuantity);

        venue.Exchange.ResumeTrading("AAPL");
        await venue.QuoteAsync(98.90m, 99.00m);

        Assert.Equal(99.00m, Assert.Single(await venue.WaitForAsync(resting.OrderId, ExecutionReportKind.Fill)).Execution!.Price);
    }

    [Fact]
    public async Task Replace_OfAPartlyFilledOrder_WorksTheNewTotalLessTheFilledQuantity()
    {
        await using var venue = await StartAsync();
        await venue.QuoteAsync(99.90m, 100.00m, askSize: 4m);
        var order = await venue.SubmitAsync(Request("replace-partial", OrderSide.Buy, OrderType.Limit, 10m, limit: 100.00m));
        await venue.WaitForAsync(order.OrderId, ExecutionReportKind.PartialFill);

        var replacement = await venue.Client.ReplaceOrderAsync(order.OrderId, new OrderReplacement { Quantity = 12m, LimitPrice = 99.50m }, Ct);

        Assert.Equal(8m, replacement.Quantity);
        Assert.Equal(99.50m, replacement.LimitPrice);
        Assert.Equal(OrderStatus.Accepted, replacement.Status);
        var old = await venue.OrderAsync(order.OrderId);
        Assert.Equal(OrderStatus.Replaced, old.Status);
        Assert.Equal(4m, old.FilledQuantity);
        Assert.NotEqual(order.ClientOrderId, replacement.ClientOrderId);
        await venue.WaitForAsync(order.OrderId, ExecutionReportKind.Replaced);
    }

    // The displayed size at a priced touch is used up by an earlier fill: the quote is there and the limits cross it, so an
    // IOC or FOK that can fill nothing is canceled NOTHING_AVAILABLE (docs/paper-exchange.md), not QUOTE_MISSING or
    // LIMIT_NOT_CROSSED; a limit the touch does not reach is still LIMIT_NOT_CROSSED.
    [Fact]
    public async Task IocAndFok_AfterAnEarlierFillTookTheDisplayedSize_AreCanceledNothingAvailable()
    {
        await using var venue = await StartAsync();
        await venue.QuoteAsync(99.90m, 100.00m, askSize: 100m);
        await venue.SubmitAsync(Request("takes-the-ask", OrderSide.Buy, OrderType.Market, 100m));

        var market = await venue.SubmitAsync(Request("ioc-market", OrderSide.Buy, OrderType.Market, 10m, tif: TimeInForce.Ioc));
        var limit = await venue.SubmitAsync(Request("ioc-limit", OrderSide.Buy, OrderType.Limit, 10m, limit: 100.05m, tif: TimeInForce.Ioc));
        var fok = await venue.SubmitAsync(Request("fok-limit", OrderSide.Buy, OrderType.Limit, 10m, limit: 100.00m, tif: TimeInForce.Fok));
        var below = await venue.SubmitAsync(Request("ioc-below", OrderSide.Buy, OrderType.Limit, 10m, limit: 99.95m, tif: TimeInForce.Ioc));

        var reasons = new List<string?>();
        foreach (var order in new[] { market, limit, fok, below })
        {
            reasons.Add(Assert.Single(await venue.WaitForAsync(order.OrderId, ExecutionReportKind.Canceled)).Reason);
        }

        Assert.Equal(["NOTHING_AVAILABLE", "NOTHING_AVAILABLE", "NOTHING_AVAILABLE", "LIMIT_NOT_CROSSED"], reasons);
        Assert.Equal(100m, Assert.Single(await venue.Client.GetPositionsAsync(Ct)).Quantity);
    }
}
