using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Brokers.Tests.Contract;

/// <summary>
/// The behaviour every <see cref="IBrokerClient"/> must show, whatever the venue. Subclasses provide a fresh venue
/// per test. Definitions this suite fixes for all venues:
/// a venue rejection of a submit throws <see cref="BrokerException"/> of kind Rejected and leaves no order open;
/// cancelling an order that is already final (filled, canceled, replaced) throws kind Rejected and changes nothing;
/// an unknown order id yields null from the Get methods and kind NotFound from cancel and replace.
/// Orders the tests expect to rest are priced away from the 189.90/190.10 quote set before each test, so a venue
/// that matches real market data (the paper exchange) does not fill them before the driver does.
/// </summary>
public abstract class BrokerClientContractTests : IAsyncLifetime
{
    protected const string Symbol = "AAPL";

    private BrokerVenue? _venue;
    private ExecutionReportCollector? _reports;

    protected IBrokerClient Client => _venue!.Client;

    protected IVenueDriver Driver => _venue!.Driver;

    protected ExecutionReportCollector Reports => _reports!;

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _venue = await CreateVenueAsync(Ct);
        await Driver.SetQuoteAsync(Symbol, 189.90m, 190.10m, Ct);
        _reports = new ExecutionReportCollector(Client);
        await Driver.WaitForReportSubscriberAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_reports is not null)
        {
            await _reports.DisposeAsync();
        }

        if (_venue is not null)
        {
            await _venue.Owner.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task Submit_ReportsAccepted_WhenVenueTakesTheOrder()
    {
        var order = await Client.SubmitOrderAsync(Limit("c-accept", 10m, 150m), Ct);

        var reports = await Reports.WaitForAsync(r => r.Order.OrderId == order.OrderId && r.Kind == ExecutionReportKind.Accepted);
        Assert.Equal("c-accept", order.ClientOrderId);
        Assert.Equal(Symbol, order.Symbol);
        Assert.Equal(10m, order.Quantity);
        Assert.Equal(150m, order.LimitPrice);
        Assert.Contains(order.Status, new[] { OrderStatus.PendingNew, OrderStatus.Accepted });
        Assert.Null(reports[0].Execution);
    }

    [Fact]
    public async Task Submit_ReturnsTheExistingOrder_WhenClientOrderIdRepeats()
    {
        var first = await Client.SubmitOrderAsync(Limit("c-repeat", 10m, 150m), Ct);
        var second = await Client.SubmitOrderAsync(Limit("c-repeat", 10m, 150m), Ct);

        Assert.Equal(first.OrderId, second.OrderId);
        Assert.Single(await Client.ListOpenOrdersAsync(Ct));
    }

    [Fact]
    public async Task Submit_CreatesOneOrder_When20ConcurrentSubmitsShareAClientOrderId()
    {
        var submits = Enumerable.Range(0, 20).Select(_ => Task.Run(() => Client.SubmitOrderAsync(Limit("c-storm", 5m, 151m), Ct), Ct));

        var orders = await Task.WhenAll(submits);

        Assert.Single(orders.Select(o => o.OrderId).Distinct());
        var open = await Client.ListOpenOrdersAsync(Ct);
        Assert.Equal(orders[0].OrderId, Assert.Single(open).OrderId);
    }

    [Fact]
    public async Task GetOrder_FindsTheOrder_ByIdAndByClientOrderId()
    {
        var order = await Client.SubmitOrderAsync(Limit("c-get", 3m, 149.5m), Ct);

        var byId = await Client.GetOrderAsync(order.OrderId, Ct);
        var byClientId = await Client.GetOrderByClientOrderIdAsync("c-get", Ct);

        Assert.NotNull(byId);
        Assert.NotNull(byClientId);
        Assert.Equal(order.OrderId, byClientId.OrderId);
        Assert.Equal("c-get", byId.ClientOrderId);
        Assert.Equal(3m, byId.Quantity);
        Assert.Equal(149.5m, byId.LimitPrice);
        Assert.Equal(OrderSide.Buy, byId.Side);
        Assert.Equal(OrderType.Limit, byId.Type);
        Assert.Equal(TimeInForce.Day, byId.TimeInForce);
    }

    [Fact]
    public async Task ListOpenOrders_ReturnsExactlyTheWorkingOrders()
    {
        var a = await Client.SubmitOrderAsync(Limit("c-open-a", 1m, 150m), Ct);
        var b = await Client.SubmitOrderAsync(Limit("c-open-b", 2m, 150m), Ct);
        var c = await Client.SubmitOrderAsync(Limit("c-open-c", 3m, 150m), Ct);
        await Client.CancelOrderAsync(c.OrderId, Ct);

        var open = await Client.ListOpenOrdersAsync(Ct);

        Assert.Equal(new[] { a.OrderId, b.OrderId }.Order(), open.Select(o => o.OrderId).Order());
    }

    [Fact]
    public async Task ATrailingStop_ShowsItsWaterMarkAndCurrentStop_AsTradesMoveThem()
    {
        var stop = await Client.SubmitOrderAsync(new OrderRequest
        {
            ClientOrderId = "c-trail", Symbol = Symbol, Side = OrderSide.Buy, Type = OrderType.TrailingStop, Quantity = 1m, TrailPrice = 2m,
            TimeInForce = TimeInForce.Gtc,
        }, Ct);
        await Reports.WaitForAsync(r => r.Order.OrderId == stop.OrderId && r.Kind == ExecutionReportKind.Accepted);

        // A buy trails the low: 150, then 148 (the mark), then 149 (above the mark, under the stop at 150).
        foreach (var price in new[] { 150m, 148m, 149m })
        {
            await Driver.TradeAsync(Symbol, price, Ct);
        }

        var read = await Client.GetOrderAsync(stop.OrderId, Ct);
        var listed = Assert.Single(await Client.ListOpenOrdersAsync(Ct));
        foreach (var order in new[] { read!, listed })
        {
            Assert.Equal((148m, 150m, 2m), (order.HighWaterMark, order.StopPrice, order.TrailPrice));
            Assert.True(order.Status.IsWorking(), $"{order.Status}");
        }
    }

    [Fact]
    public async Task Cancel_ReportsCanceled_AndTheOrderIsNoLongerOpen()
    {
        var order = await Client.SubmitOrderAsync(Limit("c-cancel", 10m, 150m), Ct);

        var canceled = await Client.CancelOrderAsync(order.OrderId, Ct);

        Assert.Contains(canceled.Status, new[] { OrderStatus.PendingCancel, OrderStatus.Canceled });
        await Reports.WaitForAsync(r => r.Order.OrderId == order.OrderId && r.Kind == ExecutionReportKind.Canceled);
        Assert.Equal(OrderStatus.Canceled, (await Client.GetOrderAsync(order.OrderId, Ct))!.Status);
        Assert.Empty(await Client.ListOpenOrdersAsync(Ct));
    }

    [Fact]
    public async Task Cancel_ThrowsRejected_WhenTheOrderIsAlreadyFilled()
    {
        var order = await Client.SubmitOrderAsync(Limit("c-cancel-filled", 10m, 150m), Ct);
        await Driver.FillAsync(order.OrderId, 10m, 150m, Ct);

        var error = await Assert.ThrowsAsync<BrokerException>(() => Client.CancelOrderAsync(order.OrderId, Ct));

        Assert.Equal(BrokerErrorKind.Rejected, error.Kind);
        var after = await Client.GetOrderAsync(order.OrderId, Ct);
        Assert.Equal(OrderStatus.Filled, after!.Status);
        Assert.Equal(10m, after.FilledQuantity);
    }

    [Fact]
    public async Task Replace_EndsTheOldOrderReplaced_AndReturnsANewOrderThatNamesIt()
    {
        var order = await Client.SubmitOrderAsync(Limit("c-replace", 10m, 150m), Ct);

        var replacement = await Client.ReplaceOrderAsync(order.OrderId, new OrderReplacement { Quantity = 12m, LimitPrice = 150.25m, ClientOrderId = "c-replace-2" }, Ct);

        Assert.NotEqual(order.OrderId, replacement.OrderId);
        Assert.Equal(order.OrderId, replacement.ReplacesOrderId);
        Assert.Equal("c-replace-2", replacement.ClientOrderId);
        Assert.Equal(12m, replacement.Quantity);
        Assert.Equal(150.25m, replacement.LimitPrice);
        var old = await Client.GetOrderAsync(order.OrderId, Ct);
        Assert.Equal(OrderStatus.Replaced, old!.Status);
        Assert.Equal(replacement.OrderId, old.ReplacedByOrderId);
        await Reports.WaitForAsync(r => r.Order.OrderId == order.OrderId && r.Kind == ExecutionReportKind.Replaced);
        Assert.Equal(replacement.OrderId, Assert.Single(await Client.ListOpenOrdersAsync(Ct)).OrderId);
    }

    [Fact]
    public async Task Fills_ReportExecutionsThatSumToTheQuantity_AndPositionsReflectThem()
    {
        var order = await Client.SubmitOrderAsync(Limit("c-fill", 10m, 150.10m), Ct);

        await Driver.FillAsync(order.OrderId, 4m, 150.00m, Ct);
        await Driver.FillAsync(order.OrderId, 6m, 150.10m, Ct);

        var fills = await Reports.WaitForAsync(r => r.Order.OrderId == order.OrderId && r.Execution is not null, 2);
        Assert.Equal([ExecutionReportKind.PartialFill, ExecutionReportKind.Fill], fills.Select(f => f.Kind));
        Assert.Equal([4m, 6m], fills.Select(f => f.Execution!.Quantity));
        Assert.Equal([150.00m, 150.10m], fills.Select(f => f.Execution!.Price));
        Assert.Equal(10m, fills.Sum(f => f.Execution!.Quantity));
        Assert.Equal(2, fills.Select(f => f.Execution!.ExecutionId).Distinct().Count());
        Assert.All(fills, f => Assert.Equal("c-fill", f.Execution!.ClientOrderId));
        Assert.All(fills, f => Assert.Equal(OrderSide.Buy, f.Execution!.Side));
        Assert.Equal(OrderStatus.Filled, fills[1].Order.Status);
        var final = await Client.GetOrderAsync(order.OrderId, Ct);
        Assert.Equal(10m, final!.FilledQuantity);
        Assert.Equal(150.06m, final.AverageFillPrice);
        var position = Assert.Single(await Client.GetPositionsAsync(Ct));
        Assert.Equal(new BrokerPosition(Symbol, 10m, 150.06m), position);
    }

    [Fact]
    public async Task GetExecutionsSince_ReturnsExactlyTheFills_WithTheStreamsExecutionIds()
    {
        var since = TimeProvider.System.GetUtcNow().AddSeconds(-1);
        // The limit admits both fill prices: no venue fills a buy above its limit.
        var buy = await Client.SubmitOrderAsync(Limit("c-exec-buy", 10m, 150.5m), Ct);
        await Driver.FillAsync(buy.OrderId, 7m, 150m, Ct);
        await Driver.FillAsync(buy.OrderId, 3m, 150.5m, Ct);
        // Above the 190.10 ask, so the sell rests until the driver fills it on a venue that matches market data.
        var sell = await Client.SubmitOrderAsync(Limit("c-exec-sell", 4m, 191m, OrderSide.Sell), Ct);
        await Driver.FillAsync(sell.OrderId, 4m, 191m, Ct);
        var streamed = await Reports.WaitForAsync(r => r.Execution is not null, 3);

        var executions = await Client.GetExecutionsSinceAsync(since, Ct);

        Assert.Equal(streamed.Select(r => r.Execution!.ExecutionId), executions.Select(e => e.ExecutionId));
        Assert.Equal([7m, 3m, 4m], executions.Select(e => e.Quantity));
        Assert.Equal([150m, 150.5m, 191m], executions.Select(e => e.Price));
        Assert.Equal([OrderSide.Buy, OrderSide.Buy, OrderSide.Sell], executions.Select(e => e.Side));
        Assert.Equal(["c-exec-buy", "c-exec-buy", "c-exec-sell"], executions.Select(e => e.ClientOrderId));
        Assert.Equal([buy.OrderId, buy.OrderId, sell.OrderId], executions.Select(e => e.OrderId));
        Assert.All(executions, e => Assert.Equal(0m, e.Fee));
        Assert.Empty(await Client.GetExecutionsSinceAsync(executions[^1].Timestamp.AddSeconds(1), Ct));
    }

    [Fact]
    public async Task UnknownOrderId_GetsReturnNull_AndCancelAndReplaceThrowNotFound()
    {
        var missing = Guid.NewGuid().ToString();

        Assert.Null(await Client.GetOrderAsync(missing, Ct));
        Assert.Null(await Client.GetOrderByClientOrderIdAsync("c-never-sent", Ct));
        var cancel = await Assert.ThrowsAsync<BrokerException>(() => Client.CancelOrderAsync(missing, Ct));
        var replace = await Assert.ThrowsAsync<BrokerException>(() => Client.ReplaceOrderAsync(missing, new OrderReplacement { Quantity = 1m }, Ct));
        Assert.Equal(BrokerErrorKind.NotFound, cancel.Kind);
        Assert.Equal(BrokerErrorKind.NotFound, replace.Kind);
    }

    [Fact]
    public async Task Submit_ThrowsRejectedWithTheVenuesReason_WhenTheVenueRefuses()
    {
        await Driver.RejectNextAsync("insufficient buying power", Ct);

        var error = await Assert.ThrowsAsync<BrokerException>(() => Client.SubmitOrderAsync(Limit("c-rejected", 10m, 150m), Ct));

        Assert.Equal(BrokerErrorKind.Rejected, error.Kind);
        Assert.Contains("insufficient buying power", error.Message, StringComparison.Ordinal);
        Assert.Empty(await Client.ListOpenOrdersAsync(Ct));
    }

    protected abstract Task<BrokerVenue> CreateVenueAsync(CancellationToken cancellationToken);

    protected static OrderRequest Limit(string clientOrderId, decimal quantity, decimal price, OrderSide side = OrderSide.Buy) => new()
    {
        ClientOrderId = clientOrderId,
        Symbol = Symbol,
        Side = side,
        Type = OrderType.Limit,
        Quantity = quantity,
        LimitPrice = price,
        TimeInForce = TimeInForce.Day,
    };
}
