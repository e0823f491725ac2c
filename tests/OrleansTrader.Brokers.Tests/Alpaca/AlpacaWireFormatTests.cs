using System.Text.Json.Nodes;
using OrleansTrader.Brokers.Tests.Fakes;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Brokers.Tests.Alpaca;

public sealed class AlpacaWireFormatTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Submit_WritesDecimalsExactlyAsStrings_AndABracketWithBothExits()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        var request = new OrderRequest
        {
            ClientOrderId = "w-bracket",
            Symbol = "NVDA",
            Side = OrderSide.Buy,
            Type = OrderType.Limit,
            Quantity = 10.50m,
            LimitPrice = 123.4500m,
            TimeInForce = TimeInForce.Gtc,
            OrderClass = OrderClass.Bracket,
            TakeProfit = new ExitLeg(LimitPrice: 130.1m),
            StopLoss = new ExitLeg(LimitPrice: 119.99m, StopPrice: 120.05m),
            ExtendedHours = false,
        };

        var order = await host.Client.SubmitOrderAsync(request, Ct);

        var body = JsonNode.Parse(Assert.Single(server.Requests, r => r.Method == "POST").Body)!.AsObject();
        Assert.Equal("NVDA", (string?)body["symbol"]);
        Assert.Equal("10.50", (string?)body["qty"]);
        Assert.Equal("123.4500", (string?)body["limit_price"]);
        Assert.Equal("buy", (string?)body["side"]);
        Assert.Equal("limit", (string?)body["type"]);
        Assert.Equal("gtc", (string?)body["time_in_force"]);
        Assert.Equal("bracket", (string?)body["order_class"]);
        Assert.Equal("w-bracket", (string?)body["client_order_id"]);
        Assert.Equal("130.1", (string?)body["take_profit"]!["limit_price"]);
        Assert.Equal("120.05", (string?)body["stop_loss"]!["stop_price"]);
        Assert.Equal("119.99", (string?)body["stop_loss"]!["limit_price"]);
        Assert.False((bool)body["extended_hours"]!);
        Assert.Null(body["stop_price"]);
        Assert.Equal(OrderClass.Bracket, order.OrderClass);
        Assert.Equal(10.50m, order.Quantity);
        Assert.Equal(2, order.Legs.Count);
        Assert.All(order.Legs, leg => Assert.Equal(order.OrderId, leg.ParentOrderId));
        Assert.All(order.Legs, leg => Assert.Equal(OrderSide.Sell, leg.Side));
        Assert.Contains(order.Legs, leg => leg.Type == OrderType.Limit && leg.LimitPrice == 130.1m);
        Assert.Contains(order.Legs, leg => leg.Type == OrderType.StopLimit && leg.StopPrice == 120.05m && leg.LimitPrice == 119.99m);
    }

    /// <summary>
    /// Alpaca rolls a group's legs up under it only when asked (nested=true), and GET by client order id takes no such
    /// parameter: a bracket whose submit answer was lost, resolved by its client order id, still comes back with its exits
    /// (the account adopts them from this answer; without them an exit's fill is a fill of an unknown order). An exit looked
    /// up by its own client order id is read again only the first time.
    /// </summary>
    [Fact]
    public async Task ABracketFoundByClientOrderId_ComesWithItsLegs_AlsoWhenItResolvesALostSubmit()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        server.AddFault(new FakeFault("POST", "/v2/orders", FakeFaultKind.AcceptThenDrop));

        var resolved = await host.Client.SubmitOrderAsync(new OrderRequest
        {
            ClientOrderId = "w-lost-bracket",
            Symbol = "NVDA",
            Side = OrderSide.Buy,
            Type = OrderType.Limit,
            Quantity = 10m,
            LimitPrice = 120m,
            TimeInForce = TimeInForce.Gtc,
            OrderClass = OrderClass.Bracket,
            TakeProfit = new ExitLeg(LimitPrice: 130m),
            StopLoss = new ExitLeg(StopPrice: 115m),
        }, Ct);
        var found = await host.Client.GetOrderByClientOrderIdAsync("w-lost-bracket", Ct);

        var (entryId, legIds) = server.FindOrder("w-lost-bracket");
        Assert.Single(server.Requests, r => r.Method == "POST");
        foreach (var order in new[] { resolved, found! })
        {
            Assert.Equal(entryId, order.OrderId);
            Assert.Equal(legIds.Order(StringComparer.Ordinal), order.Legs.Select(l => l.OrderId).Order(StringComparer.Ordinal));
            Assert.All(order.Legs, leg => Assert.Equal(entryId, leg.ParentOrderId));
        }

        var takeProfit = resolved.Legs.Single(l => l.Type == OrderType.Limit);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(takeProfit.OrderId, (await host.Client.GetOrderByClientOrderIdAsync(takeProfit.ClientOrderId, Ct))!.OrderId);
        }

        Assert.Single(server.Requests, r => r.Path == "/v2/orders/" + takeProfit.OrderId);
    }

    /// <summary>
    /// Alpaca cancels a group's remaining open orders with any one of them; the cancel's answer (the order read nested) shows
    /// the exits ended with their entry, which the account takes to end its own exits.
    /// </summary>
    [Fact]
    public async Task Cancel_OfABracketEntry_AnswersWithItsExitsCanceledToo()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        var entry = await host.Client.SubmitOrderAsync(new OrderRequest
        {
            ClientOrderId = "w-cancel-bracket", Symbol = "AMD", Side = OrderSide.Buy, Type = OrderType.Limit, Quantity = 3m,
            LimitPrice = 150m, TimeInForce = TimeInForce.Day, OrderClass = OrderClass.Bracket,
            TakeProfit = new ExitLeg(LimitPrice: 160m), StopLoss = new ExitLeg(StopPrice: 140m),
        }, Ct);

        var canceled = await host.Client.CancelOrderAsync(entry.OrderId, Ct);

        Assert.Equal(OrderStatus.Canceled, canceled.Status);
        Assert.Equal(2, canceled.Legs.Count);
        Assert.All(canceled.Legs, leg => Assert.Equal(OrderStatus.Canceled, leg.Status));
        Assert.Empty(await host.Client.ListOpenOrdersAsync(Ct));
    }

    [Theory]
    [InlineData(OrderType.Market, TimeInForce.Day, "market", "day")]
    [InlineData(OrderType.Stop, TimeInForce.Opg, "stop", "opg")]
    [InlineData(OrderType.StopLimit, TimeInForce.Cls, "stop_limit", "cls")]
    [InlineData(OrderType.TrailingStop, TimeInForce.Ioc, "trailing_stop", "ioc")]
    [InlineData(OrderType.Limit, TimeInForce.Fok, "limit", "fok")]
    public async Task Submit_WritesAlpacasNamesForTypesAndTimeInForce(OrderType type, TimeInForce timeInForce, string alpacaType, string alpacaTimeInForce)
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);

        var order = await host.Client.SubmitOrderAsync(new OrderRequest
        {
            ClientOrderId = "w-" + alpacaType,
            Symbol = "QQQ",
            Side = OrderSide.Sell,
            Type = type,
            Quantity = 2m,
            LimitPrice = type is OrderType.Limit or OrderType.StopLimit ? 400m : null,
            StopPrice = type is OrderType.Stop or OrderType.StopLimit ? 390m : null,
            TrailPercent = type == OrderType.TrailingStop ? 1.5m : null,
            TimeInForce = timeInForce,
        }, Ct);

        var body = JsonNode.Parse(Assert.Single(server.Requests, r => r.Method == "POST").Body)!.AsObject();
        Assert.Equal(alpacaType, (string?)body["type"]);
        Assert.Equal(alpacaTimeInForce, (string?)body["time_in_force"]);
        Assert.Equal("sell", (string?)body["side"]);
        Assert.Null(body["order_class"]);
        Assert.Equal(type, order.Type);
        Assert.Equal(timeInForce, order.TimeInForce);
        Assert.Equal(type == OrderType.TrailingStop ? 1.5m : null, order.TrailPercent);
    }

    [Fact]
    public async Task ATrailingStop_ReadsItsWaterMarkAndCurrentStop()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        var placed = await host.Client.SubmitOrderAsync(new OrderRequest
        {
            ClientOrderId = "trail-hwm", Symbol = "SPY", Side = OrderSide.Sell, Type = OrderType.TrailingStop, Quantity = 2m,
            TrailPrice = 1.25m, TimeInForce = TimeInForce.Gtc,
        }, Ct);
        Assert.Null(placed.HighWaterMark);

        server.MoveTrail(placed.OrderId, "412.5", "411.25");
        var read = await host.Client.GetOrderAsync(placed.OrderId, Ct);
        var listed = Assert.Single(await host.Client.ListOpenOrdersAsync(Ct));

        foreach (var order in new[] { read!, listed })
        {
            Assert.Equal((412.5m, 411.25m, 1.25m), (order.HighWaterMark, order.StopPrice, order.TrailPrice));
        }
    }

    [Fact]
    public async Task GetExecutionsSince_FollowsPageTokens_AcrossSeveralPages()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        var since = TimeProvider.System.GetUtcNow().AddSeconds(-1);
        var order = await host.Client.SubmitOrderAsync(new OrderRequest
        {
            ClientOrderId = "w-pages",
            Symbol = "F",
            Side = OrderSide.Buy,
            Type = OrderType.Limit,
            Quantity = 230m,
            LimitPrice = 12m,
        }, Ct);
        for (var i = 0; i < 230; i++)
        {
            await server.FillAsync(order.OrderId, 1m, 12m);
        }

        var executions = await host.Client.GetExecutionsSinceAsync(since, Ct);

        Assert.Equal(230, executions.Count);
        Assert.Equal(230, executions.Select(e => e.ExecutionId).Distinct().Count());
        Assert.Equal(Enumerable.Range(1, 230).Select(i => $"{order.OrderId}:{i}"), executions.Select(e => e.ExecutionId));
        Assert.Equal(3, server.Requests.Count(r => r.Path == "/v2/account/activities/FILL"));
        Assert.Equal(2, server.Requests.Count(r => r.Path == "/v2/account/activities/FILL" && r.Query.Contains("page_token=", StringComparison.Ordinal)));
        Assert.Single(server.Requests, r => r.Path == "/v2/orders/" + order.OrderId);
    }

    [Fact]
    public async Task ListOpenOrders_PagesPastAlpacasFiveHundredOrderLimit_WithoutLosingOrdersThatShareASubmitTime()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        var first = new DateTimeOffset(2026, 3, 2, 15, 0, 0, TimeSpan.Zero);

        // Three orders per millisecond, so every page boundary falls inside a group that shares a submit time.
        var ids = Enumerable.Range(0, 1203)
            .Select(i => server.AddWorkingOrder($"w-many-{i}", "F", first.AddMilliseconds(i / 3)))
            .ToList();

        var open = await host.Client.ListOpenOrdersAsync(Ct);

        Assert.Equal(ids.Count, open.Count);
        Assert.Equal(ids.Order(StringComparer.Ordinal), open.Select(o => o.OrderId).Order(StringComparer.Ordinal));
        Assert.All(server.Requests.Where(r => r.Path == "/v2/orders"), r => Assert.Contains("limit=500", r.Query, StringComparison.Ordinal));
    }

    [Fact]
    public async Task AccountCancelAllAndClosePosition_SpeakTheDocumentedEndpoints()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        var filled = await host.Client.SubmitOrderAsync(new OrderRequest { ClientOrderId = "w-pos", Symbol = "T", Side = OrderSide.Buy, Type = OrderType.Limit, Quantity = 8m, LimitPrice = 17m }, Ct);
        await server.FillAsync(filled.OrderId, 8m, 17m);
        var open1 = await host.Client.SubmitOrderAsync(new OrderRequest { ClientOrderId = "w-open-1", Symbol = "T", Side = OrderSide.Buy, Type = OrderType.Limit, Quantity = 1m, LimitPrice = 16m }, Ct);
        var open2 = await host.Client.SubmitOrderAsync(new OrderRequest { ClientOrderId = "w-open-2", Symbol = "T", Side = OrderSide.Buy, Type = OrderType.Limit, Quantity = 1m, LimitPrice = 15m }, Ct);

        var account = await host.Client.GetAccountAsync(Ct);
        var canceled = await host.Client.CancelAllOrdersAsync(Ct);
        var close = await host.Client.ClosePositionAsync("T", Ct);

        Assert.Equal(new global::OrleansTrader.Brokers.Alpaca.AlpacaAccount("ACTIVE", "USD", 100000m, 200000m, 100000m, false), account);
        Assert.Equal(new[] { open1.OrderId, open2.OrderId }.Order(), canceled.Order());
        Assert.Equal(OrderSide.Sell, close.Side);
        Assert.Equal(8m, close.Quantity);
        Assert.Equal(OrderType.Market, close.Type);
        Assert.Single(await host.Client.ListOpenOrdersAsync(Ct));
    }

    [Fact]
    public async Task Replace_ResolvesFromTheOldOrder_WhenTheConnectionDropsAfterTheVenueReplaced()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        var order = await host.Client.SubmitOrderAsync(new OrderRequest { ClientOrderId = "w-rep", Symbol = "KO", Side = OrderSide.Buy, Type = OrderType.Limit, Quantity = 5m, LimitPrice = 60m }, Ct);
        server.AddFault(new FakeFault("PATCH", "/v2/orders/", FakeFaultKind.AcceptThenDrop));

        var replacement = await host.Client.ReplaceOrderAsync(order.OrderId, new OrderReplacement { LimitPrice = 60.5m }, Ct);

        Assert.Equal(order.OrderId, replacement.ReplacesOrderId);
        Assert.Equal(60.5m, replacement.LimitPrice);
        Assert.Single(server.Requests, r => r.Method == "PATCH");
        Assert.Equal(2, server.OrderCount);
    }

    [Fact]
    public async Task Replace_OfATrailingStop_SendsTheNewTrail_AndRefusesToSwitchItsKind()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        var order = await host.Client.SubmitOrderAsync(new OrderRequest
        {
            ClientOrderId = "w-trail", Symbol = "KO", Side = OrderSide.Sell, Type = OrderType.TrailingStop, Quantity = 5m, TrailPrice = 2m,
            TimeInForce = TimeInForce.Gtc,
        }, Ct);

        var tighter = await host.Client.ReplaceOrderAsync(order.OrderId, new OrderReplacement { TrailPrice = 1.5m }, Ct);
        Assert.Equal((1.5m, (decimal?)null), (tighter.TrailPrice, tighter.TrailPercent));

        // Alpaca would take `trail: 3` as $3 for an order that trails by price.
        var error = await Assert.ThrowsAsync<BrokerException>(() => host.Client.ReplaceOrderAsync(tighter.OrderId, new OrderReplacement { TrailPercent = 3m }, Ct));
        Assert.Equal(BrokerErrorKind.Rejected, error.Kind);
        Assert.Single(server.Requests, r => r.Method == "PATCH");
    }

    [Fact]
    public async Task Replace_IsNeverRetried_AndFailsOutcomeUnknown_WhenNothingShowsTheReplacement()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        var order = await host.Client.SubmitOrderAsync(new OrderRequest { ClientOrderId = "w-rep-lost", Symbol = "KO", Side = OrderSide.Buy, Type = OrderType.Limit, Quantity = 5m, LimitPrice = 60m }, Ct);
        server.AddFault(new FakeFault("PATCH", "/v2/orders/", FakeFaultKind.Drop));

        var error = await Assert.ThrowsAsync<BrokerException>(() => host.Client.ReplaceOrderAsync(order.OrderId, new OrderReplacement { LimitPrice = 61m }, Ct));

        Assert.Equal(BrokerErrorKind.OutcomeUnknown, error.Kind);
        Assert.Single(server.Requests, r => r.Method == "PATCH");
    }
}
