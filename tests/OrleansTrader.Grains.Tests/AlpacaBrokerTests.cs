using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrleansTrader.Brokers;
using OrleansTrader.Brokers.Alpaca;
using OrleansTrader.Brokers.Tests.Fakes;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Accounts;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// The account grain trading through the Alpaca adapter end to end: AccountGrain -> AlpacaTradingClient -> fake Alpaca ->
/// trade_updates -> ExecutionReportPump -> durable "fills" stream -> AccountGrain.
/// </summary>
public sealed class AlpacaBrokerTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task AlpacaAccount_ResumesItsStreamAtSiloStart_AndHasTheFillMadeWhileTheSiloWasDown_ExactlyOnce()
    {
        await using var silo = await AlpacaSilo.StartAsync("alp-restart", sqlitePath: _dir.File("alpaca-restart.db"));
        await Market.QuoteAsync(silo.Cluster, "ALPR", 30m, 30m);
        var account = await silo.OpenAsync("alp-restart", 20_000m);
        await silo.WaitForStreamHealthyAsync();
        var (placed, brokerOrderId) = await PlaceAtBrokerAsync(account, Market.Limit("alp-restart-1", "ALPR", OrderSide.Buy, 20m, 30m));

        await silo.Cluster.Cluster.StopAllSilosAsync(TestContext.Current.CancellationToken);
        var listens = silo.Venue.ListenMessages;
        await silo.Venue.FillAsync(brokerOrderId, 20m, 29.95m);
        await silo.Cluster.Cluster.DeployAsync(TestContext.Current.CancellationToken);

        // No call reaches the account before the stream is back: the silo activates the bound account at startup.
        await silo.Venue.WaitForListenersAsync(listens + 1, TestContext.Current.CancellationToken);
        account = silo.Cluster.Account("alp-restart");
        await Eventually.WaitAsync(() => account.GetFillsAsync(0, 100), f => f.Count == 1, "the fill made while the silo was down");
        await silo.WaitForStreamHealthyAsync();
        await account.ReconcileAsync();

        var fill = Assert.Single(await account.GetFillsAsync(0, 100));
        Assert.Equal($"{brokerOrderId}:20", fill.ExecutionId);
        Assert.Equal(20m, Assert.Single(await account.GetPositionsAsync()).Quantity);
        Assert.Equal(20_000m - 599m, (await account.GetSnapshotAsync())!.Cash);
        Assert.Equal(OrderStatus.Filled, (await account.GetOrderAsync(placed.Order!.OrderId))!.Status);
    }

    [Fact]
    public async Task AlpacaAccount_AppliesPartialThenFullFill_ThroughTradeUpdatesAndTheDurableFillsStream()
    {
        await using var silo = await AlpacaSilo.StartAsync("alp-fill");
        await Market.QuoteAsync(silo.Cluster, "ALPF", 10m, 10.02m);
        var account = await silo.OpenAsync("alp-fill", 100_000m);
        await silo.WaitForStreamHealthyAsync();

        var (placed, brokerOrderId) = await PlaceAtBrokerAsync(account, Market.Limit("alp-fill-1", "ALPF", OrderSide.Buy, 100m, 10.05m));
        Assert.Equal(1, silo.Venue.CountOrders("alp-fill-1"));

        await silo.Venue.FillAsync(brokerOrderId, 40m, 10m);
        await Eventually.WaitAsync(() => account.GetFillsAsync(0, 100), f => f.Count == 1, "the partial fill");
        Assert.Equal(OrderStatus.PartiallyFilled, (await account.GetOrderAsync(placed.Order!.OrderId))!.Status);
        await silo.Venue.FillAsync(brokerOrderId, 60m, 10.02m);
        await Eventually.WaitAsync(() => account.GetFillsAsync(0, 100), f => f.Count == 2, "the final fill");

        var order = await account.GetOrderAsync(placed.Order!.OrderId);
        Assert.Equal(OrderStatus.Filled, order!.Status);
        Assert.Equal(100m, order.FilledQuantity);
        var position = Assert.Single(await account.GetPositionsAsync());
        Assert.Equal(100m, position.Quantity);
        Assert.Equal(10.012m, position.AverageEntryPrice);
        Assert.Equal(100_000m - 400m - 601.2m, (await account.GetSnapshotAsync())!.Cash);
        var fills = await account.GetFillsAsync(0, 100);
        Assert.Equal([$"{brokerOrderId}:40", $"{brokerOrderId}:100"], fills.Select(f => f.ExecutionId));

        var log = silo.Cluster.Cluster.ServiceProvider.GetRequiredKeyedService<IDurableStreamLog>(StreamNames.DurableProvider);
        var stored = await log.ReadStreamAsync(StreamId.Create(StreamNames.Fills, "alp-fill"), 0, 1000, TestContext.Current.CancellationToken);
        var payloads = stored.Select(e => Encoding.UTF8.GetString(e.Payload.Span)).ToList();
        Assert.Contains(payloads, p => p.Contains($"\"{brokerOrderId}:40\"", StringComparison.Ordinal));
        Assert.Contains(payloads, p => p.Contains($"\"{brokerOrderId}:100\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reconciliation_AsksForExecutionsAgain_OnlyFromAMinuteBeforeTheNewestItsLastBackfillSaw()
    {
        await using var silo = await AlpacaSilo.StartAsync("alp-window");
        await Market.QuoteAsync(silo.Cluster, "ALPW", 10m, 10.02m);
        var account = await silo.OpenAsync("alp-window", 100_000m);
        await silo.WaitForStreamHealthyAsync();
        var (placed, brokerOrderId) = await PlaceAtBrokerAsync(account, Market.Limit("alp-window-1", "ALPW", OrderSide.Buy, 10m, 10.05m));
        await silo.Venue.FillAsync(brokerOrderId, 10m, 10m);
        var fill = Assert.Single(await Eventually.WaitAsync(() => account.GetFillsAsync(0, 100), f => f.Count == 1, "the fill"));

        // A reconciliation back-fills twice (before and after comparing positions). The first back-fill of this activation
        // to see the fill goes back the full five minutes before it; every later one only a minute before it.
        var first = await ReconcileAndReadActivityStartsAsync(silo, account);
        var second = await ReconcileAndReadActivityStartsAsync(silo, account);

        Assert.Equal(2, first.Count);
        Assert.Equal(fill.Timestamp - TimeSpan.FromMinutes(5), first[0], TimeSpan.FromSeconds(1));
        Assert.Equal(fill.Timestamp - TimeSpan.FromMinutes(1), first[1], TimeSpan.FromSeconds(1));
        Assert.Equal(2, second.Count);
        Assert.All(second, start => Assert.Equal(fill.Timestamp - TimeSpan.FromMinutes(1), start, TimeSpan.FromSeconds(1)));
        Assert.Single(await account.GetFillsAsync(0, 100));
    }

    [Fact]
    public async Task AlpacaAccount_HasTheFillExactlyOnce_WhenTheSocketDropsWhileItFills()
    {
        await using var silo = await AlpacaSilo.StartAsync("alp-drop");
        await Market.QuoteAsync(silo.Cluster, "ALPD", 20m, 20m);
        var account = await silo.OpenAsync("alp-drop", 50_000m);
        await silo.WaitForStreamHealthyAsync();
        var (placed, brokerOrderId) = await PlaceAtBrokerAsync(account, Market.Limit("alp-drop-1", "ALPD", OrderSide.Buy, 50m, 20m));
        var listens = silo.Venue.ListenMessages;

        silo.Venue.DropStreamConnections();
        await silo.Venue.FillAsync(brokerOrderId, 50m, 19.99m);
        await silo.Venue.WaitForListenersAsync(listens + 1, TestContext.Current.CancellationToken);
        await Eventually.WaitAsync(() => account.GetFillsAsync(0, 100), f => f.Count == 1, "the fill missed while disconnected");
        await silo.WaitForStreamHealthyAsync();
        var report = await account.ReconcileAsync();

        Assert.True(report.Mismatches.Count == 0, string.Join(" | ", report.Mismatches));
        Assert.Equal(0, report.BackfilledFills);
        var fill = Assert.Single(await account.GetFillsAsync(0, 100));
        Assert.Equal($"{brokerOrderId}:50", fill.ExecutionId);
        var position = Assert.Single(await account.GetPositionsAsync());
        Assert.Equal(50m, position.Quantity);
        Assert.Equal(50_000m - 999.5m, (await account.GetSnapshotAsync())!.Cash);
        Assert.Equal(TradingState.Active, (await silo.Cluster.Breaker("alp-drop").GetStateAsync()).State);
    }

    [Fact]
    public async Task AlpacaAccount_BreakerGoesReducing_WhileTheCircuitIsOpen_AndStaysThereAfterItCloses()
    {
        await using var silo = await AlpacaSilo.StartAsync("alp-5xx");
        await Market.QuoteAsync(silo.Cluster, "ALPX", 5m, 5m);
        var account = await silo.OpenAsync("alp-5xx", 10_000m);
        await silo.WaitForStreamHealthyAsync();
        Assert.Equal(HealthStatus.Healthy, (await silo.LinkHealthAsync()).Status);

        silo.Venue.AddFault(new FakeFault("GET", "/v2/", FakeFaultKind.Status) { StatusCode = 503, Times = 100_000 });
        silo.Venue.AddFault(new FakeFault("POST", "/v2/orders", FakeFaultKind.Status) { StatusCode = 500, Times = 100_000 });
        // Each failed submit is two failures (its POST and the one look-up that resolves it), against the successes of the
        // stream's catch-up and the health check: a few submits open the circuit, fewer than the 10 samples the broker
        // error rate needs before it could halt the account instead.
        for (var i = 0; i < 8 && !silo.Health.CircuitOpen; i++)
        {
            await account.PlaceOrderAsync(Market.Limit($"alp-5xx-{i}", "ALPX", OrderSide.Buy, 10m, 5m));
        }

        var tripped = await Eventually.WaitAsync(() => silo.Cluster.Breaker("alp-5xx").GetStateAsync(), b => b.State != TradingState.Active, "the breaker to trip");
        Assert.Equal(TradingState.Reducing, tripped.State);
        Assert.Equal("system", tripped.LastActor);
        Assert.StartsWith("Alpaca circuit open", tripped.LastReason, StringComparison.Ordinal);
        Assert.Equal(TradingState.Reducing, (await account.GetSnapshotAsync())!.AccountBreakerState);
        Assert.Equal(HealthStatus.Degraded, (await silo.LinkHealthAsync()).Status);

        silo.Venue.ClearFaults();
        await Eventually.WaitAsync(() => ProbeAsync(account, silo), open => !open, "the circuit to close");

        Assert.Equal(HealthStatus.Healthy, (await silo.LinkHealthAsync()).Status);
        Assert.Equal(TradingState.Reducing, (await silo.Cluster.Breaker("alp-5xx").GetStateAsync()).State);
    }

    [Fact]
    public async Task AlpacaAccount_BreakerHalts_OnTheFillAfterRejections_WhenTheBrokerErrorRateIsReached()
    {
        // No signal tick within the test: only the fill's own report can bring the rejections to the breaker.
        await using var silo = await AlpacaSilo.StartAsync(
            "alp-rej", configureSilo: s => s.Configure<AccountGrainOptions>(o => o.SignalInterval = TimeSpan.FromHours(1)));
        await Market.QuoteAsync(silo.Cluster, "ALPR", 10m, 10.02m);
        var account = await silo.OpenAsync("alp-rej", 100_000m, BreakerPolicy.Default with { MinErrorSamples = 3, MaxBrokerErrorRate = 0.5m });
        await silo.WaitForStreamHealthyAsync();

        silo.Venue.AddFault(new FakeFault("POST", "/v2/orders", FakeFaultKind.Status) { StatusCode = 403, Times = 3 });
        for (var i = 0; i < 3; i++)
        {
            var rejected = await account.PlaceOrderAsync(Market.Limit($"alp-rej-{i}", "ALPR", OrderSide.Buy, 1m, 10.05m));
            Assert.Equal(OrderStatus.Rejected, rejected.Order?.Status);
        }

        Assert.Equal(TradingState.Active, (await silo.Cluster.Breaker("alp-rej").GetStateAsync()).State);
        var (placed, brokerOrderId) = await PlaceAtBrokerAsync(account, Market.Limit("alp-rej-ok", "ALPR", OrderSide.Buy, 1m, 10.05m));
        await silo.Venue.FillAsync(brokerOrderId, 1m, 10m);

        var tripped = await Eventually.WaitAsync(() => silo.Cluster.Breaker("alp-rej").GetStateAsync(), b => b.State != TradingState.Active, "the breaker to trip");
        Assert.Equal(TradingState.Halted, tripped.State);
        Assert.Contains("3 of 4 broker calls failed", tripped.LastReason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AlpacaAccount_BreakerGoesReducing_WhenTheTradeStreamStaysDown()
    {
        await using var silo = await AlpacaSilo.StartAsync("alp-down", new Dictionary<string, string?> { ["Alpaca:StreamUnhealthyTripAfter"] = "00:00:00" });
        var account = await silo.OpenAsync("alp-down", 10_000m);
        await silo.WaitForStreamHealthyAsync();
        Assert.Equal(TradingState.Active, (await silo.Cluster.Breaker("alp-down").GetStateAsync()).State);

        silo.Venue.RejectStreamConnections = true;
        silo.Venue.DropStreamConnections();

        var tripped = await Eventually.WaitAsync(() => silo.Cluster.Breaker("alp-down").GetStateAsync(), b => b.State != TradingState.Active, "the breaker to trip");
        Assert.Equal(TradingState.Reducing, tripped.State);
        Assert.Equal("system", tripped.LastActor);
        Assert.StartsWith("Alpaca trade_updates stream is down", tripped.LastReason, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Degraded, (await silo.LinkHealthAsync()).Status);
        Assert.Equal(TradingState.Reducing, (await account.GetSnapshotAsync())!.AccountBreakerState);
    }

    /// <summary>A call through the half-open circuit closes it when the venue answers; while it is open the call fails fast.</summary>
    private static async Task<bool> ProbeAsync(IAccountGrain account, AlpacaSilo silo)
    {
        try
        {
            await account.ReconcileAsync();
        }
        catch (BrokerException ex) when (ex.Kind == BrokerErrorKind.Unavailable)
        {
            Assert.True(silo.Health.CircuitOpen, ex.Message);
        }

        return silo.Health.CircuitOpen;
    }

    [Fact]
    public async Task OpenAccount_RefusesAlpaca_ForAnAccountOtherThanTheOneBoundToTheKey()
    {
        await using var silo = await AlpacaSilo.StartAsync("alp-bound");

        var refused = await silo.Cluster.Account("alp-intruder").OpenAsync(new OpenAccount { Cash = 1_000m, Broker = BrokerNames.Alpaca });

        Assert.False(refused.Succeeded);
        Assert.Equal(AccountErrorCodes.BrokerUnavailable, refused.ErrorCode);
        Assert.Contains("bound to account \"alp-bound\"", refused.Message, StringComparison.Ordinal);
        Assert.Null(await silo.Cluster.Account("alp-intruder").GetSnapshotAsync());
        Assert.Equal(0, silo.Venue.OrderCount);
    }

    [Fact]
    public async Task OpenAccount_RefusesAlpaca_InASiloWithoutAlpacaKeys()
    {
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions());

        var refused = await cluster.Account("no-keys").OpenAsync(new OpenAccount { Cash = 1_000m, Broker = BrokerNames.Alpaca });

        Assert.False(refused.Succeeded);
        Assert.Equal(AccountErrorCodes.BrokerUnavailable, refused.ErrorCode);
        Assert.Contains("not configured in this silo", refused.Message, StringComparison.Ordinal);
        Assert.Null(await cluster.Account("no-keys").GetSnapshotAsync());
    }

    /// <summary>Reconciles and returns the start ("after") of every fill-activities request it made, in order.</summary>
    private static async Task<List<DateTimeOffset>> ReconcileAndReadActivityStartsAsync(AlpacaSilo silo, IAccountGrain account)
    {
        var before = silo.Venue.Requests.Count;
        await account.ReconcileAsync();
        return
        [
            .. silo.Venue.Requests.Skip(before)
                .Where(r => r.Path == "/v2/account/activities/FILL")
                .Select(r => DateTimeOffset.Parse(System.Web.HttpUtility.ParseQueryString(r.Query)["after"]!, System.Globalization.CultureInfo.InvariantCulture)),
        ];
    }

    /// <summary>Places an order that must pass the account's checks and waits until the broker has given it an id.</summary>
    [Fact]
    public async Task AlpacaAccount_RefusesCashTransfers_ItsCashMovesAtTheBroker()
    {
        await using var silo = await AlpacaSilo.StartAsync("alp-xfer");
        var account = await silo.OpenAsync("alp-xfer", 10_000m);

        var result = await account.TransferCashAsync(new TransferCash { TransferId = "dep", Amount = 1_000m });

        Assert.Equal(AccountErrorCodes.TransfersNotSupported, result.ErrorCode);
        Assert.Equal(10_000m, (await account.GetSnapshotAsync())!.Cash);
        Assert.Empty(await account.GetTransfersAsync());
    }

    // Alpaca's replace sends one `trail`, the new value of the trail the order has: a new percent for a percent trail
    // works; a trail price for it would have become a 1% trail at Alpaca while the account showed a $1 one.
    [Fact]
    public async Task AlpacaTrailingStop_TakesANewTrailPercent_AndARefusedSwitchToATrailPriceLeavesItWorking()
    {
        await using var silo = await AlpacaSilo.StartAsync("alp-trrp");
        await Market.QuoteAsync(silo.Cluster, "ALPK", 50m, 50.02m);
        var account = await silo.OpenAsync("alp-trrp", 100_000m);
        await silo.WaitForStreamHealthyAsync();
        var (placed, _) = await PlaceAtBrokerAsync(account, new PlaceOrder
        {
            Request = new OrderRequest
            {
                ClientOrderId = "alp-trrp-1", Symbol = "ALPK", Side = OrderSide.Buy, Type = OrderType.TrailingStop, Quantity = 10m,
                TrailPercent = 2m, TimeInForce = TimeInForce.Gtc,
            },
        });
        var wider = await account.ReplaceOrderAsync(new ReplaceOrder { OrderId = placed.Order!.OrderId, Replacement = new OrderReplacement { TrailPercent = 3m } });
        Assert.True(wider.Succeeded, wider.Denial?.Message);
        Assert.Equal((OrderStatus.Accepted, 3m), (wider.Order!.Status, wider.Order.TrailPercent));
        silo.Venue.Trade("ALPK", 49m);
        Assert.Equal(50.47m, (await account.GetOrderAsync(wider.Order.OrderId))!.StopPrice);

        // A trailing buy holds its starting stop (3% over the ask: 10 x 51.53), which a wider trail raises.
        var reserved = (await account.GetSnapshotAsync())!.Reserved;
        Assert.Equal(515.30m, reserved);

        var switched = await account.ReplaceOrderAsync(new ReplaceOrder { OrderId = wider.Order.OrderId, Replacement = new OrderReplacement { TrailPrice = 1m } });

        Assert.Equal(OrderStatus.Rejected, switched.Order!.Status);
        var working = (await account.GetOrderAsync(wider.Order.OrderId))!;
        Assert.Equal((OrderStatus.Accepted, 3m, 50.47m), (working.Status, working.TrailPercent, working.StopPrice));
        Assert.Equal(reserved, (await account.GetSnapshotAsync())!.Reserved);
        Assert.Empty((await account.ReconcileAsync()).Mismatches);
    }

    [Fact]
    public async Task AlpacaAccount_ShowsItsTrailingStopsCurrentLevel_AndAnswersWithoutItWhenAlpacaFails()
    {
        await using var silo = await AlpacaSilo.StartAsync("alp-trail");
        await Market.QuoteAsync(silo.Cluster, "ALPT", 50m, 50.02m);
        var account = await silo.OpenAsync("alp-trail", 100_000m);
        await silo.WaitForStreamHealthyAsync();
        var stops = new List<(OrderCommandResult Placed, string BrokerOrderId)>();
        foreach (var (id, trail) in new[] { ("alp-trail-1", 2m), ("alp-trail-2", 4m) })
        {
            stops.Add(await PlaceAtBrokerAsync(account, new PlaceOrder
            {
                Request = new OrderRequest
                {
                    ClientOrderId = id, Symbol = "ALPT", Side = OrderSide.Buy, Type = OrderType.TrailingStop, Quantity = 10m,
                    TrailPercent = trail, TimeInForce = TimeInForce.Gtc,
                },
            }));
        }

        // Alpaca has seen no low yet: no level. Then it moves both stops, and a read shows where each stands (one order
        // is one GET; the list asks for all open orders at once).
        Assert.Null((await account.GetOrderAsync(stops[0].Placed.Order!.OrderId))!.HighWaterMark);
        silo.Venue.MoveTrail(stops[0].BrokerOrderId, "49.5", "50.49");
        silo.Venue.MoveTrail(stops[1].BrokerOrderId, "49.5", "51.48");
        var one = await account.GetOrderAsync(stops[0].Placed.Order!.OrderId);
        var listed = await account.GetOrdersAsync(OrderStatusFilter.Open, 10, null);

        Assert.Equal((49.5m, 50.49m), (one!.HighWaterMark, one.StopPrice));
        Assert.Equal([(49.5m, 51.48m), (49.5m, 50.49m)], listed.Select(o => (o.HighWaterMark, o.StopPrice)));

        // A lookup by client order id (what a strategy does to cancel its stop) answers from the account alone.
        Assert.Null((await account.GetOrderByClientOrderIdAsync("alp-trail-1"))!.HighWaterMark);

        // Alpaca failing: the orders still come back, as the account has them, without a level it cannot vouch for.
        silo.Venue.AddFault(new FakeFault("GET", "/v2/orders", FakeFaultKind.Status) { StatusCode = 503, Times = 100_000 });
        one = await account.GetOrderAsync(stops[0].Placed.Order!.OrderId);
        listed = await account.GetOrdersAsync(OrderStatusFilter.Open, 10, null);

        Assert.Equal((OrderStatus.Accepted, null, null), (one!.Status, one.HighWaterMark, one.StopPrice));
        Assert.Equal(2, listed.Count(o => o.HighWaterMark is null && o.StopPrice is null));
    }

    [Fact]
    public async Task AlpacaBracket_AdoptsItsHeldExits_BooksTheEntryAndTakeProfitOnce_AndEndsTheStopLoss_WithoutAMismatch()
    {
        await using var silo = await AlpacaSilo.StartAsync("alp-bracket");
        await Market.QuoteAsync(silo.Cluster, "ALPB", 50m, 50m);
        var account = await silo.OpenAsync("alp-bracket", 100_000m);
        await silo.WaitForStreamHealthyAsync();

        var (placed, entryId) = await PlaceAtBrokerAsync(account, Bracket("alp-bracket-1", "ALPB", 10m, 50m, takeProfit: 52m, stopLoss: 48m));
        var exits = await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null), o => o.Count == 3, "the entry and its two held exits");
        exits = [.. exits.Where(o => o.ParentOrderId == placed.Order!.OrderId)];
        Assert.Equal([OrderType.Limit, OrderType.Stop], exits.Select(e => e.Type).Order());
        Assert.All(exits, e => Assert.Equal((OrderSide.Sell, 10m, OrderStatus.Accepted), (e.Side, e.Quantity, e.Status)));
        Assert.Empty((await account.ReconcileAsync()).Mismatches);

        await silo.Venue.FillAsync(entryId, 10m, 50m);
        await Eventually.WaitAsync(() => account.GetFillsAsync(0, 10), f => f.Count == 1, "the entry's fill");
        Assert.Empty((await account.ReconcileAsync()).Mismatches);

        var takeProfit = exits.Single(e => e.Type == OrderType.Limit);
        var stopLoss = exits.Single(e => e.Type == OrderType.Stop);
        await silo.Venue.FillAsync(takeProfit.BrokerOrderId!, 10m, 52m);
        await Eventually.WaitAsync(() => account.GetOrdersAsync(OrderStatusFilter.Open, 10, null), o => o.Count == 0, "both exits ended");

        var fills = await account.GetFillsAsync(0, 10);
        Assert.Equal([(placed.Order!.OrderId, 50m), (takeProfit.OrderId, 52m)], fills.Select(f => (f.OrderId, f.Price)));
        Assert.Equal(OrderStatus.Canceled, (await account.GetOrderAsync(stopLoss.OrderId))!.Status);
        Assert.DoesNotContain(await account.GetPositionsAsync(), p => p.Quantity != 0m);
        Assert.Equal(0m, (await account.GetSnapshotAsync())!.Reserved);
        Assert.Empty((await account.ReconcileAsync()).Mismatches);
        Assert.Single(await account.GetFillsAsync(0, 10), f => f.OrderId == takeProfit.OrderId);
        Assert.Equal(TradingState.Active, (await silo.Cluster.Breaker("alp-bracket").GetStateAsync()).State);
    }

    [Fact]
    public async Task AlpacaBracket_WhoseAnswerWasLost_BooksItsExitsFillMadeWhileTheStreamWasDown_WithoutAnUnknownOrderMismatch()
    {
        await using var silo = await AlpacaSilo.StartAsync("alp-bracket-gap");
        await Market.QuoteAsync(silo.Cluster, "ALPG", 50m, 50m);
        var account = await silo.OpenAsync("alp-bracket-gap", 100_000m);
        await silo.WaitForStreamHealthyAsync();

        // The stream is down and the bracket's answer is lost (the look-up after it does not find it yet): the account
        // knows neither the exits nor the fills the venue then makes, the entry's and its take-profit's.
        silo.Venue.RejectStreamConnections = true;
        silo.Venue.DropStreamConnections();
        silo.Venue.AddFault(new FakeFault("POST", "/v2/orders", FakeFaultKind.AcceptThenDrop));
        silo.Venue.AddFault(new FakeFault("GET", "/v2/orders:by_client_order_id", FakeFaultKind.Status) { StatusCode = 404 });
        var placed = await account.PlaceOrderAsync(Bracket("alp-gap-1", "ALPG", 10m, 50m, takeProfit: 52m, stopLoss: 48m));
        Assert.True(placed.Succeeded, placed.Denial?.Message);
        var (entryId, legIds) = silo.Venue.FindOrder("alp-gap-1");
        await silo.Venue.FillAsync(entryId, 10m, 50m);
        await silo.Venue.FillAsync(legIds[0], 10m, 52m);

        var report = await account.ReconcileAsync();

        Assert.True(report.Mismatches.Count == 0, string.Join(" | ", report.Mismatches));
        var fills = await account.GetFillsAsync(0, 10);
        Assert.Equal([(placed.Order!.OrderId, 10m, 50m), (fills[1].OrderId, 10m, 52m)], fills.Select(f => (f.OrderId, f.Quantity, f.Price)));
        var exits = await account.GetOrdersAsync(OrderStatusFilter.All, 10, null);
        exits = [.. exits.Where(o => o.ParentOrderId == placed.Order.OrderId)];
        Assert.Equal([(OrderType.Limit, OrderStatus.Filled), (OrderType.Stop, OrderStatus.Canceled)], exits.Select(e => (e.Type, e.Status)).Order());
        Assert.Equal(fills[1].OrderId, exits.Single(e => e.Type == OrderType.Limit).OrderId);
        Assert.DoesNotContain(await account.GetPositionsAsync(), p => p.Quantity != 0m);
        Assert.Equal(0m, (await account.GetSnapshotAsync())!.Reserved);
        Assert.Equal(TradingState.Active, (await silo.Cluster.Breaker("alp-bracket-gap").GetStateAsync()).State);
    }

    [Fact]
    public async Task AlpacaAccount_DeniesExtendedHoursOrdersThatAreNotDay_BeforeReservingOrSending_AndKeepsTheDayOneWorking()
    {
        await using var silo = await AlpacaSilo.StartAsync("alp-xh");
        await Market.QuoteAsync(silo.Cluster, "ALPX", 20m, 20.02m);
        var account = await silo.OpenAsync("alp-xh", 100_000m);
        await silo.WaitForStreamHealthyAsync();

        // Alpaca's extended_hours works only with a limit DAY order; the domain (and paper) also take GTC.
        var gtc = Market.Limit("alp-xh-1", "ALPX", OrderSide.Buy, 10m, 20m);
        gtc = gtc with { Request = gtc.Request with { ExtendedHours = true } };
        var preview = await account.PreviewOrderAsync(gtc.Request);
        var denied = await account.PlaceOrderAsync(gtc);

        Assert.Equal((false, AlpacaOrderRules.ExtendedHoursDayOnly), (preview.Approved, preview.ReasonCode));
        Assert.Equal(AlpacaOrderRules.ExtendedHoursDayOnly, denied.Denial?.ReasonCode);
        Assert.Equal(0, silo.Venue.CountOrders("alp-xh-1"));
        Assert.Equal(0m, (await account.GetSnapshotAsync())!.Reserved);

        // The DAY one is sent; a replace that would make it GTC is denied the same way and it works on unchanged.
        var (placed, _) = await PlaceAtBrokerAsync(account,
            gtc with { Request = gtc.Request with { ClientOrderId = "alp-xh-2", TimeInForce = TimeInForce.Day } });
        var replace = await account.ReplaceOrderAsync(new ReplaceOrder
        {
            OrderId = placed.Order!.OrderId,
            Replacement = new OrderReplacement { TimeInForce = TimeInForce.Gtc },
        });

        Assert.Equal(AlpacaOrderRules.ExtendedHoursDayOnly, replace.Denial?.ReasonCode);
        var working = (await account.GetOrderAsync(placed.Order.OrderId))!;
        Assert.Equal((OrderStatus.Accepted, TimeInForce.Day), (working.Status, working.TimeInForce));
        Assert.Empty((await account.ReconcileAsync()).Mismatches);
    }

    private static PlaceOrder Bracket(string clientOrderId, string symbol, decimal quantity, decimal limit, decimal takeProfit, decimal stopLoss) =>
        Market.AsBracket(Market.Limit(clientOrderId, symbol, OrderSide.Buy, quantity, limit), takeProfit, stopLoss);

    private static async Task<(OrderCommandResult Placed, string BrokerOrderId)> PlaceAtBrokerAsync(IAccountGrain account, PlaceOrder command)
    {
        var placed = await account.PlaceOrderAsync(command);
        Assert.True(placed.Succeeded, placed.Denial?.Message);
        var brokerOrderId = await Eventually.WaitAsync(
            async () => (await account.GetOrderAsync(placed.Order!.OrderId))?.BrokerOrderId, id => id is not null, "the broker order id");
        return (placed, brokerOrderId!);
    }
}
