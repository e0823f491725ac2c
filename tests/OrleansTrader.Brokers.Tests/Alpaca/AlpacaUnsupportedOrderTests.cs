using OrleansTrader.Brokers.Alpaca;
using OrleansTrader.Brokers.Tests.Contract;
using OrleansTrader.Brokers.Tests.Fakes;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Brokers.Tests.Alpaca;

/// <summary>
/// Orders on the key that this backend did not place and cannot model (an options multi-leg order, a kind placed through
/// Alpaca's dashboard). One of them made every order list unreadable: the stream's catch-up failed and retried for ever,
/// and every reconciliation failed with it.
/// </summary>
public sealed class AlpacaUnsupportedOrderTests
{
    private const int UnsupportedOrderEventId = 4118;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("order_class", "mleg")]
    [InlineData("type", "market_on_quote")]
    [InlineData("time_in_force", "gtd")]
    [InlineData("side", "sell_to_open")]
    public async Task ListOpenOrders_LeavesOutAnOrderItCannotModel_KeepsTheOthers_AndLogsIt(string field, string value)
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        var first = await host.Client.SubmitOrderAsync(Limit("u-first"), Ct);
        var foreign = server.AddWorkingOrder("dashboard-1", "AAPL", TimeProvider.System.GetUtcNow());
        server.SetRawField(foreign, field, value);
        var second = await host.Client.SubmitOrderAsync(Limit("u-second"), Ct);

        var open = await host.Client.ListOpenOrdersAsync(Ct);

        Assert.Equal([second.OrderId, first.OrderId], open.Select(o => o.OrderId));
        Assert.Equal(1, host.Client.UnsupportedOrdersLeftOut);
        var warning = Assert.Single(host.Logs.Entries, e => e.EventId.Id == UnsupportedOrderEventId);
        Assert.Contains(foreign, warning.Text, StringComparison.Ordinal);
        Assert.Contains($"{field} '{value}'", warning.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetOrder_OfAnOrderItCannotModel_SaysWhichValueIsNotSupported()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        var foreign = server.AddWorkingOrder("dashboard-2", "AAPL", TimeProvider.System.GetUtcNow());
        server.SetRawField(foreign, "order_class", "mleg");

        var failure = await Assert.ThrowsAsync<BrokerException>(() => host.Client.GetOrderAsync(foreign, Ct));

        Assert.Equal(BrokerErrorKind.Rejected, failure.Kind);
        Assert.Contains("order_class 'mleg'", failure.Message, StringComparison.Ordinal);
        Assert.Contains("not supported", failure.Message, StringComparison.Ordinal);
    }

    // The catch-up lists open and closed orders and back-fills fills; each met the foreign order and failed, so the stream
    // never reported healthy. An update for it on the connection dropped the connection the same way.
    [Fact]
    public async Task Stream_CatchesUpPastOrdersItCannotModel_SkipsTheirUpdates_AndStaysConnected()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        var known = await host.Client.SubmitOrderAsync(Limit("u-known"), Ct);
        var working = server.AddWorkingOrder("dashboard-working", "AAPL", TimeProvider.System.GetUtcNow());
        var filled = server.AddWorkingOrder("dashboard-filled", "AAPL", TimeProvider.System.GetUtcNow());
        server.SetRawField(working, "order_class", "mleg");
        server.SetRawField(filled, "order_class", "mleg");
        await server.FillAsync(filled, 1m, 10m);

        await using var reports = new ExecutionReportCollector(host.Client);
        await host.Health.StreamHealthy.Task.WaitAsync(TimeSpan.FromSeconds(15), Ct);
        await reports.WaitForAsync(r => r.Order.OrderId == known.OrderId);
        await server.PushEventAsync("new", working);
        var marker = await host.Client.SubmitOrderAsync(Limit("u-marker"), Ct);
        await reports.WaitForAsync(r => r.Order.OrderId == marker.OrderId);

        Assert.DoesNotContain(reports.Reports, r => r.Order.OrderId == working || r.Order.OrderId == filled);
        Assert.Equal(1, server.StreamConnections);
        Assert.Equal(["stream:healthy"], host.Health.Events.Where(e => e.StartsWith("stream:", StringComparison.Ordinal)));
        Assert.Contains(host.Logs.Entries, e => e.EventId.Id == UnsupportedOrderEventId && e.Text.Contains(working, StringComparison.Ordinal));
        Assert.Contains(host.Logs.Entries, e => e.EventId.Id == UnsupportedOrderEventId && e.Text.Contains(filled, StringComparison.Ordinal));
    }

    [Fact]
    public async Task GetExecutionsSince_LeavesOutTheFillsOfAnOrderItCannotModel()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        var since = TimeProvider.System.GetUtcNow().AddSeconds(-1);
        var known = await host.Client.SubmitOrderAsync(Limit("u-filled"), Ct);
        var foreign = server.AddWorkingOrder("dashboard-3", "AAPL", TimeProvider.System.GetUtcNow());
        server.SetRawField(foreign, "order_class", "mleg");
        await server.FillAsync(foreign, 1m, 10m);
        await server.FillAsync(known.OrderId, 1m, 100m);

        var executions = await host.Client.GetExecutionsSinceAsync(since, Ct);

        var execution = Assert.Single(executions);
        Assert.Equal((known.OrderId, "u-filled"), (execution.OrderId, execution.ClientOrderId));
    }

    // Guard for "an order this backend placed is never left out": every kind it can place is read back as itself.
    [Fact]
    public void EveryKindThisBackendPlaces_IsReadBackAsItself()
    {
        foreach (var side in Enum.GetValues<OrderSide>())
        {
            Assert.Equal(side, AlpacaMapper.ParseSide(AlpacaMapper.ToJson(side)));
        }

        foreach (var type in Enum.GetValues<OrderType>())
        {
            Assert.Equal(type, AlpacaMapper.ParseType(AlpacaMapper.ToJson(type)));
        }

        foreach (var timeInForce in Enum.GetValues<TimeInForce>())
        {
            Assert.Equal(timeInForce, AlpacaMapper.ParseTimeInForce(AlpacaMapper.ToJson(timeInForce)));
        }

        foreach (var orderClass in Enum.GetValues<OrderClass>())
        {
            Assert.Equal(orderClass, AlpacaMapper.ParseOrderClass(AlpacaMapper.ToJson(orderClass)));
        }
    }

    private static OrderRequest Limit(string clientOrderId) => new()
    {
        ClientOrderId = clientOrderId,
        Symbol = "SPY",
        Side = OrderSide.Buy,
        Type = OrderType.Limit,
        Quantity = 2m,
        LimitPrice = 100m,
        TimeInForce = TimeInForce.Gtc,
    };
}
