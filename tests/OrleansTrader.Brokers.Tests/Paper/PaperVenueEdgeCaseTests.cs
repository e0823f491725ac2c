using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Fees;
using OrleansTrader.Domain.Fills;
using OrleansTrader.Domain.Instruments;
using OrleansTrader.Domain.Orders;
using static OrleansTrader.Brokers.Tests.Paper.PaperHarness;

namespace OrleansTrader.Brokers.Tests.Paper;

/// <summary>
/// Edge cases a review of the paper venue found wrong: groups leaving memory whole, prints through a limit after the
/// displayed size is taken, fractional fills, per-order fee minimums, group exits shrunk off the fill increment, IOC orders accepted in a halt, OCO prices, and
/// the fee schedule of an order restored after a restart.
/// </summary>
public sealed class PaperVenueEdgeCaseTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static OrderRequest GtcBracket(string clientOrderId) =>
        Request(clientOrderId, OrderSide.Buy, OrderType.Limit, 10m, limit: 100.00m, tif: TimeInForce.Gtc) with
        {
            OrderClass = OrderClass.Bracket,
            TakeProfit = new ExitLeg(LimitPrice: 105.00m),
            StopLoss = new ExitLeg(StopPrice: 95.00m),
        };

    /// <summary>
    /// A bracket whose entry filled more than the retention window before its exits ended: the group must leave memory
    /// whole (docs: "final members of groups ... leave only with the whole group"), and the group record must not stay
    /// in the live state forever.
    /// </summary>
    [Fact]
    public async Task ABracketWhoseEntryEndedLongBeforeItsExits_LeavesTheLiveStateWhole()
    {
        await using var venue = await StartAsync(o => o.Retention = TimeSpan.FromHours(1));
        await venue.QuoteAsync(99.90m, 100.00m);
        var entry = await venue.SubmitAsync(GtcBracket("split-bracket"));
        var takeProfit = entry.Legs.Single(l => l.Type == OrderType.Limit);
        var stopLoss = entry.Legs.Single(l => l.Type == OrderType.Stop);
        await venue.WaitForAsync(entry.OrderId, ExecutionReportKind.Fill);

        // The exits work for two hours; then the take-profit fills.
        venue.Time.Advance(TimeSpan.FromHours(2));
        await venue.QuoteAsync(105.00m, 105.10m);
        await venue.WaitForAsync(takeProfit.OrderId, ExecutionReportKind.Fill);
        await venue.WaitForAsync(stopLoss.OrderId, ExecutionReportKind.Canceled);

        // While the exits are still in memory, the parent still shows both legs.
        var parent = await venue.OrderAsync(entry.OrderId);
        Assert.Equal(2, parent.Legs.Count);

        // Long after, everything has left memory and the live snapshot holds neither the orders nor the group.
        venue.Time.Advance(TimeSpan.FromHours(2));
        var fresh = await venue.SubmitAsync(Request("after", OrderSide.Buy, OrderType.Limit, 1m, limit: 90m, tif: TimeInForce.Gtc));
        var snapshot = (await venue.Store.LoadAsync(AccountId, Ct))!;
        Assert.Equal([fresh.OrderId], snapshot.Orders.Select(o => o.Order.OrderId));
        Assert.Empty(snapshot.Groups);
    }

    /// <summary>Same bracket, only the group record: once all three orders are archived, no group may stay in the live state.</summary>
    [Fact]
    public async Task ABracketWhoseEntryEndedLongBeforeItsExits_DoesNotLeaveItsGroupBehindForever()
    {
        await using var venue = await StartAsync(o => o.Retention = TimeSpan.FromHours(1));
        await venue.QuoteAsync(99.90m, 100.00m);
        var entry = await venue.SubmitAsync(GtcBracket("leaked-group"));
        var takeProfit = entry.Legs.Single(l => l.Type == OrderType.Limit);
        await venue.WaitForAsync(entry.OrderId, ExecutionReportKind.Fill);
        venue.Time.Advance(TimeSpan.FromHours(2));
        await venue.QuoteAsync(105.00m, 105.10m);
        await venue.WaitForAsync(takeProfit.OrderId, ExecutionReportKind.Fill);

        venue.Time.Advance(TimeSpan.FromHours(2));
        var fresh = await venue.SubmitAsync(Request("after", OrderSide.Buy, OrderType.Limit, 1m, limit: 90m, tif: TimeInForce.Gtc));
        venue.Time.Advance(TimeSpan.FromHours(2));
        await venue.Client.CancelOrderAsync(fresh.OrderId, Ct);

        var snapshot = (await venue.Store.LoadAsync(AccountId, Ct))!;
        Assert.DoesNotContain(snapshot.Orders, o => o.GroupId == entry.OrderId);
        Assert.Empty(snapshot.Groups);
    }

    /// <summary>
    /// A resting buy limit fills at its limit when a trade prints strictly through it (docs). The displayed ask size having
    /// been taken by another order earlier does not change the trade that printed.
    /// </summary>
    [Fact]
    public async Task RestingLimit_FillsOnAPrintThroughIt_EvenAfterTheDisplayedSizeWasTaken()
    {
        await using var venue = await StartAsync();
        await venue.QuoteAsync(100.90m, 101.00m, askSize: 100m);
        var resting = await venue.SubmitAsync(Request("resting", OrderSide.Buy, OrderType.Limit, 10m, limit: 100.00m, tif: TimeInForce.Gtc));
        var sweep = await venue.SubmitAsync(Request("sweep", OrderSide.Buy, OrderType.Market, 100m));
        await venue.WaitForAsync(sweep.OrderId, ExecutionReportKind.Fill);

        await venue.TradeAsync(99.50m, 500m);

        var order = await venue.OrderAsync(resting.OrderId);
        Assert.Equal(10m, order.FilledQuantity);
    }

    /// <summary>A fractional market order of a fractionable instrument fills completely (Alpaca fills fractional orders).</summary>
    [Fact]
    public async Task FractionalMarketOrder_FillsItsWholeQuantity()
    {
        await using var venue = await StartAsync(o => o.Instruments.Add(new Instrument { Symbol = "AAPL", FractionalAllowed = true, FractionalIncrement = 0.001m }));
        await venue.QuoteAsync(99.90m, 100.00m);

        var order = await venue.SubmitAsync(Request("fractional", OrderSide.Buy, OrderType.Market, 2.5m));

        var final = await venue.OrderAsync(order.OrderId);
        Assert.Equal(2.5m, final.FilledQuantity);
        Assert.Equal(OrderStatus.Filled, final.Status);
    }

    /// <summary>
    /// The per-share model has a per-ORDER minimum ($1.00, docs/domain.md: "MinimumPerOrder"). An order of 10 shares that
    /// fills in several executions should pay about $1.00 in all, not $1.00 per execution.
    /// </summary>
    [Fact]
    public async Task PerShareMinimum_IsChargedPerOrder_NotPerPartialFill()
    {
        var perShare = new PaperAccountSettings { FeeModel = new FeeModelSpec { Kind = FeeModelKind.PerShare, PerShareRate = 0.005m, MinimumPerOrder = 1.00m, MaxPercentOfNotional = 100m } };
        await using var venue = await StartAsync(settings: perShare);
        var order = await venue.SubmitAsync(Request("fee-partials", OrderSide.Buy, OrderType.Limit, 10m, limit: 100.00m, tif: TimeInForce.Gtc));
        for (var i = 0; i < 5; i++)
        {
            await venue.QuoteAsync(99.90m, 100.00m, askSize: 2m);
        }

        var executions = await venue.Client.GetExecutionsSinceAsync(Start, Ct);
        Assert.Equal(10m, executions.Sum(e => e.Quantity));
        Assert.Equal(order.OrderId, executions[0].OrderId);
        Assert.Equal(1.00m, executions.Sum(e => e.Fee));
    }

    /// <summary>
    /// An IOC order must never rest: if it cannot match when the venue accepts it (here: the symbol was halted during the
    /// acknowledgement latency), it is canceled, not left working until the halt ends.
    /// </summary>
    [Fact]
    public async Task IocAcceptedWhileHalted_IsCanceled_NotLeftWorking()
    {
        await using var venue = await StartAsync(o => o.AckLatency = TimeSpan.FromMilliseconds(20));
        await venue.QuoteAsync(99.90m, 100.00m);
        var ioc = await venue.SubmitAsync(Request("ioc-halt", OrderSide.Buy, OrderType.Limit, 10m, limit: 100.00m, tif: TimeInForce.Ioc));
        venue.Exchange.HaltTrading("AAPL", "LULD pause");

        venue.Time.Advance(TimeSpan.FromMilliseconds(20));
        await venue.WaitForAsync(ioc.OrderId, ExecutionReportKind.Accepted);
        venue.Exchange.ResumeTrading("AAPL");
        venue.Time.Advance(TimeSpan.FromMinutes(30));
        await venue.QuoteAsync(99.90m, 100.00m);

        var order = await venue.OrderAsync(ioc.OrderId);
        Assert.Equal(0m, order.FilledQuantity);
        Assert.Equal(OrderStatus.Canceled, order.Status);
    }

    /// <summary>
    /// A bracket exit shrunk to the position left after fills off the configured increment must still fill what is left of it.
    /// Under a 100-share increment a 150-share bracket fills in single shares; its stop-loss fills 30, the take-profit is
    /// shrunk to 120 and fills 50, so the stop-loss is shrunk to 100 with 30 filled: its 70 still protect the position.
    /// </summary>
    [Fact]
    public async Task BracketStopLossShrunkToAWholeIncrement_StillFillsTheRemainderOffIt()
    {
        await using var venue = await StartAsync(o => o.FillModel = o.FillModel with { QuantityIncrement = 100m });
        await venue.QuoteAsync(99.90m, 100.00m, askSize: 200m);
        var entry = await venue.SubmitAsync(Request("round-lots", OrderSide.Buy, OrderType.Limit, 150m, limit: 100.00m, tif: TimeInForce.Gtc) with
        {
            OrderClass = OrderClass.Bracket,
            TakeProfit = new ExitLeg(LimitPrice: 105.00m),
            StopLoss = new ExitLeg(StopPrice: 95.00m),
        });
        var takeProfit = entry.Legs.Single(l => l.Type == OrderType.Limit);
        var stopLoss = entry.Legs.Single(l => l.Type == OrderType.Stop);
        await venue.WaitForAsync(entry.OrderId, ExecutionReportKind.Fill);

        // The stop triggers and fills 30 against the displayed bid; the take-profit shrinks to 120.
        await venue.QuoteAsync(94.90m, 95.00m, bidSize: 30m);
        await venue.TradeAsync(94.95m, 500m);
        // The take-profit (working before the stop-loss) takes the 50 bid at its limit; the stop-loss shrinks to 100.
        await venue.QuoteAsync(105.00m, 105.10m, bidSize: 50m);
        var shrunk = await venue.OrderAsync(stopLoss.OrderId);
        Assert.Equal((100m, 30m), (shrunk.Quantity, shrunk.FilledQuantity));

        // The price falls back with ample size: the stop-loss sells the 70 shares still held.
        await venue.QuoteAsync(94.90m, 95.00m, bidSize: 1_000m);

        var final = await venue.OrderAsync(stopLoss.OrderId);
        Assert.Equal((OrderStatus.Filled, 100m), (final.Status, final.FilledQuantity));
        Assert.Equal(OrderStatus.Canceled, (await venue.OrderAsync(takeProfit.OrderId)).Status);
        Assert.Empty(await venue.Client.GetPositionsAsync(Ct));
    }

    /// <summary>
    /// A configured increment finer than a share (0.5, which the validator accepts for fractionable instruments) must not
    /// split a whole-share symbol: a 3-share order of an unlisted (whole-share) symbol against 1.5 shares displayed fills
    /// 1, not 1.5, so the position stays one the instrument can hold and close.
    /// </summary>
    [Fact]
    public async Task WholeShareOrder_UnderAHalfShareIncrement_FillsWholeSharesOnly()
    {
        await using var venue = await StartAsync(o => o.FillModel = o.FillModel with { QuantityIncrement = 0.5m });
        await venue.QuoteAsync(99.90m, 100.00m, askSize: 1.5m);

        var order = await venue.SubmitAsync(Request("whole-under-half", OrderSide.Buy, OrderType.Market, 3m));

        Assert.Equal(1m, (await venue.OrderAsync(order.OrderId)).FilledQuantity);
        Assert.Equal(1m, Assert.Single(await venue.Client.GetPositionsAsync(Ct)).Quantity);
        await venue.QuoteAsync(99.90m, 100.00m, askSize: 1.5m);
        await venue.QuoteAsync(99.90m, 100.00m, askSize: 1.5m);
        var final = await venue.OrderAsync(order.OrderId);
        Assert.Equal((OrderStatus.Filled, 3m), (final.Status, final.FilledQuantity));
    }

    /// <summary>Same under a participation cap: 50% of a 3-share print is 1.5, of which a whole-share symbol fills 1.</summary>
    [Fact]
    public async Task WholeShareOrder_UnderAHalfShareIncrementAndParticipation_FillsWholeSharesOnly()
    {
        await using var venue = await StartAsync(o => o.FillModel = o.FillModel with { QuantityIncrement = 0.5m, ParticipationRate = 0.5m });
        await venue.QuoteAsync(99.90m, 100.00m, askSize: 1_000m);
        var order = await venue.SubmitAsync(Request("whole-participation", OrderSide.Buy, OrderType.Market, 3m));

        await venue.TradeAsync(100.00m, 3m);

        Assert.Equal(1m, (await venue.OrderAsync(order.OrderId)).FilledQuantity);
    }

    /// <summary>
    /// The participation rate is the venue's share of a print, whoever's orders take it: at 10%, a 100-share trade fills
    /// 10 shares in all. Each order capped by 10% of what the orders before it left, two took 10 + 9, and ten about 65.
    /// </summary>
    [Fact]
    public async Task ParticipationRate_CapsEveryOrderOfAPrintTogether()
    {
        await using var venue = await StartAsync(o => o.FillModel = o.FillModel with { ParticipationRate = 0.1m });
        await venue.QuoteAsync(99.90m, 100.00m, askSize: 1_000m);
        var first = await venue.SubmitAsync(Request("participation-first", OrderSide.Buy, OrderType.Market, 50m));
        var second = await venue.SubmitAsync(Request("participation-second", OrderSide.Buy, OrderType.Market, 50m));

        await venue.TradeAsync(100.00m, 100m);

        Assert.Equal((10m, 0m), ((await venue.OrderAsync(first.OrderId)).FilledQuantity, (await venue.OrderAsync(second.OrderId)).FilledQuantity));

        await venue.TradeAsync(100.00m, 50m);

        Assert.Equal((15m, 0m), ((await venue.OrderAsync(first.OrderId)).FilledQuantity, (await venue.OrderAsync(second.OrderId)).FilledQuantity));
    }

    /// <summary>
    /// On a fractionable instrument the step follows the order (Instrument.QuantityIncrementFor): a whole-share order fills
    /// whole shares, as a whole-share order of a fractionable stock does at Alpaca, and a fractional order fills in the
    /// configured half shares, a whole number of its fractional increment.
    /// </summary>
    [Fact]
    public async Task FractionableInstrument_UnderAHalfShareIncrement_FillsWholeOrdersWholeAndFractionalOrdersInHalves()
    {
        await using var venue = await StartAsync(o =>
        {
            o.FillModel = o.FillModel with { QuantityIncrement = 0.5m };
            o.Instruments.Add(new Instrument { Symbol = "AAPL", FractionalAllowed = true, FractionalIncrement = 0.001m });
        });
        await venue.QuoteAsync(99.90m, 100.00m, askSize: 1.5m);
        var whole = await venue.SubmitAsync(Request("fractionable-whole", OrderSide.Buy, OrderType.Market, 3m));
        Assert.Equal(1m, (await venue.OrderAsync(whole.OrderId)).FilledQuantity);
        await venue.Client.CancelOrderAsync(whole.OrderId, Ct);

        await venue.QuoteAsync(99.90m, 100.00m, askSize: 1.2m);
        var fractional = await venue.SubmitAsync(Request("fractionable-half", OrderSide.Buy, OrderType.Market, 2.5m));

        Assert.Equal(1.0m, (await venue.OrderAsync(fractional.OrderId)).FilledQuantity);
    }

    /// <summary>
    /// A fractional order keeps its fractional step when what is left of it is a whole number: 2.5 shares with 1.5 filled
    /// still fills 0.7 of the 1 left, not nothing for want of a whole share.
    /// </summary>
    [Fact]
    public async Task FractionalOrder_WithAWholeRemainder_StillFillsFractionally()
    {
        await using var venue = await StartAsync(o => o.Instruments.Add(new Instrument { Symbol = "AAPL", FractionalAllowed = true, FractionalIncrement = 0.001m }));
        await venue.QuoteAsync(99.90m, 100.00m, askSize: 1.5m);
        var order = await venue.SubmitAsync(Request("fractional-rest", OrderSide.Buy, OrderType.Market, 2.5m));
        Assert.Equal(1.5m, (await venue.OrderAsync(order.OrderId)).FilledQuantity);

        await venue.QuoteAsync(99.90m, 100.00m, askSize: 0.7m);

        Assert.Equal(2.2m, (await venue.OrderAsync(order.OrderId)).FilledQuantity);
    }

    /// <summary>
    /// A bracket exit of a whole-share symbol that fills partly under a half-share increment fills whole shares, so the
    /// other exit is shrunk to whole shares too and the position left is whole.
    /// </summary>
    [Fact]
    public async Task WholeShareBracketExits_UnderAHalfShareIncrement_FillAndShrinkInWholeShares()
    {
        await using var venue = await StartAsync(o => o.FillModel = o.FillModel with { QuantityIncrement = 0.5m });
        await venue.QuoteAsync(99.90m, 100.00m);
        var entry = await venue.SubmitAsync(Request("whole-bracket", OrderSide.Buy, OrderType.Limit, 3m, limit: 100.00m, tif: TimeInForce.Gtc) with
        {
            OrderClass = OrderClass.Bracket,
            TakeProfit = new ExitLeg(LimitPrice: 105.00m),
            StopLoss = new ExitLeg(StopPrice: 95.00m),
        });
        var takeProfit = entry.Legs.Single(l => l.Type == OrderType.Limit);
        var stopLoss = entry.Legs.Single(l => l.Type == OrderType.Stop);
        await venue.WaitForAsync(entry.OrderId, ExecutionReportKind.Fill);

        // The stop triggers against 1.5 shares bid: it sells 1, and the take-profit shrinks to the 2 still held.
        await venue.QuoteAsync(94.90m, 95.00m, bidSize: 1.5m);
        await venue.TradeAsync(94.95m, 500m);

        Assert.Equal(1m, (await venue.OrderAsync(stopLoss.OrderId)).FilledQuantity);
        Assert.Equal(2m, (await venue.OrderAsync(takeProfit.OrderId)).Quantity);
        Assert.Equal(2m, Assert.Single(await venue.Client.GetPositionsAsync(Ct)).Quantity);

        // The take-profit then sells the rest in whole shares against 1.5 shares bid at a time.
        await venue.QuoteAsync(105.00m, 105.10m, bidSize: 1.5m);
        Assert.Equal(1m, (await venue.OrderAsync(takeProfit.OrderId)).FilledQuantity);
        await venue.QuoteAsync(105.00m, 105.10m, bidSize: 1.5m);
        Assert.Equal(OrderStatus.Filled, (await venue.OrderAsync(takeProfit.OrderId)).Status);
        Assert.Equal(OrderStatus.Canceled, (await venue.OrderAsync(stopLoss.OrderId)).Status);
        Assert.Empty(await venue.Client.GetPositionsAsync(Ct));
    }

    /// <summary>
    /// An OCO's take-profit leg works at the take-profit limit the request names (Alpaca: take_profit.limit_price); the
    /// validator checks that price against the stop.
    /// </summary>
    [Fact]
    public async Task Oco_WorksItsTakeProfitAtTheTakeProfitLimit()
    {
        await using var venue = await StartAsync();
        await venue.QuoteAsync(99.90m, 100.00m);
        var request = Request("oco-mismatch", OrderSide.Sell, OrderType.Limit, 10m, limit: 90.00m, tif: TimeInForce.Gtc) with
        {
            OrderClass = OrderClass.Oco,
            TakeProfit = new ExitLeg(LimitPrice: 105.00m),
            StopLoss = new ExitLeg(StopPrice: 95.00m),
        };

        var parent = await venue.SubmitAsync(request);

        var order = await venue.OrderAsync(parent.OrderId);
        Assert.Equal(0m, order.FilledQuantity);
        Assert.Equal(105.00m, order.LimitPrice);
    }

    /// <summary>
    /// The account's fee model is part of what its fills are priced with; a restart of the venue (StartAsync restores
    /// and resumes matching every account at once) must not fill the restored orders with the default model.
    /// </summary>
    [Fact]
    public async Task RestoredWorkingOrder_FillsWithTheAccountsFeeModel_AfterARestart()
    {
        var store = new InMemoryPaperVenueStore();
        var time = new ManualTimeProvider(Start);
        var perShare = new PaperAccountSettings { FeeModel = new FeeModelSpec { Kind = FeeModelKind.PerShare, PerShareRate = 0.005m, MinimumPerOrder = 1.00m } };
        string orderId;
        await using (var before = await StartAsync(settings: perShare, store: store, time: time))
        {
            await before.QuoteAsync(99.90m, 100.00m);
            orderId = (await before.SubmitAsync(Request("fee-restart", OrderSide.Buy, OrderType.Limit, 100m, limit: 99.00m, tif: TimeInForce.Gtc))).OrderId;
        }

        // The host restarts: the hosted service restores the venue and market data flows before any account reconnects.
        await using var after = await StartAsync(store: store, time: time);
        await after.QuoteAsync(98.90m, 99.00m);

        var fill = Assert.Single(await after.WaitForAsync(orderId, ExecutionReportKind.Fill));
        Assert.Equal(1.00m, fill.Execution!.Fee);
    }

    /// <summary>
    /// A GTC sale filled half on 2026-09-30 and half on 2026-10-01, the first day of FINRA's TAF holiday (docs/domain.md,
    /// Fees): the first fill pays SEC $1.03 and TAF $0.10; the second pays the order's fee at its own date's rates less
    /// that of the first fill at those rates, $1.03. What the first day's fill paid stays paid.
    /// </summary>
    [Fact]
    public async Task GtcSale_FilledOverTwoTradeDates_KeepsWhatItsFirstFillPaid()
    {
        var time = new ManualTimeProvider(new DateTimeOffset(2026, 9, 30, 15, 0, 0, TimeSpan.Zero));
        await using var venue = await StartAsync(time: time);
        await venue.QuoteAsync(100.00m, 100.10m, bidSize: 500m);
        var order = await venue.SubmitAsync(Request("two-dates", OrderSide.Sell, OrderType.Limit, 1000m, limit: 100.00m, tif: TimeInForce.Gtc));
        time.AdvanceTo(new DateTimeOffset(2026, 10, 1, 15, 0, 0, TimeSpan.Zero));
        await venue.QuoteAsync(100.00m, 100.10m, bidSize: 500m);

        var executions = await venue.Client.GetExecutionsSinceAsync(time.GetUtcNow().AddDays(-2), Ct);
        Assert.Equal([(500m, 1.13m), (500m, 1.03m)], executions.Select(e => (e.Quantity, e.Fee)));
        Assert.Equal(OrderStatus.Filled, (await venue.OrderAsync(order.OrderId)).Status);
    }
}
