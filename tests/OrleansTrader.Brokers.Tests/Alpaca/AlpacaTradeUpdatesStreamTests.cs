using OrleansTrader.Brokers.Alpaca;
using OrleansTrader.Brokers.Tests.Contract;
using OrleansTrader.Brokers.Tests.Fakes;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Brokers.Tests.Alpaca;

public sealed class AlpacaTradeUpdatesStreamTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // Alpaca refusing the keys ("unauthorized") was retried from ReconnectBaseDelay doubling up, like a dropped connection:
    // a burst of failing logins that no retry could turn into a good one before an operator changed the keys.
    [Fact]
    public async Task Stream_KeysRefused_RetriesOnlyAtTheLongestDelay()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(
            server.BaseUrl, server.StreamUrl, o => o.ReconnectMaxDelay = TimeSpan.FromSeconds(30), keyId: "PKWRONG9Z8X7C6V5B4N3");
        await using (new ExecutionReportCollector(host.Client))
        {
            var deadline = System.Diagnostics.Stopwatch.GetTimestamp() + (10 * System.Diagnostics.Stopwatch.Frequency);
            while (!host.Logs.Entries.Any(e => e.EventId.Id == 4111) && System.Diagnostics.Stopwatch.GetTimestamp() < deadline)
            {
                await Task.Delay(20, Ct);
            }
        }

        Assert.Contains(host.Logs.Entries, e => e.EventId.Id == 4115);
        var lost = Assert.Single(host.Logs.Entries, e => e.EventId.Id == 4111);
        Assert.Contains("reconnecting in 00:00:30", lost.Text, StringComparison.Ordinal);
        Assert.Equal(1, server.AuthMessages);
    }

    // An outage warned at every reconnect attempt: at the longest delay a warning a minute, for as long as Alpaca was out.
    [Fact]
    public async Task Stream_AnOutage_WarnsOnce_LogsTheFurtherAttemptsAtDebug_AndSaysWhenItIsBack()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        await using var reports = new ExecutionReportCollector(host.Client);
        await host.Health.StreamHealthy.Task.WaitAsync(TimeSpan.FromSeconds(15), Ct);

        server.RejectStreamConnections = true;
        server.DropStreamConnections();
        var deadline = System.Diagnostics.Stopwatch.GetTimestamp() + (15 * System.Diagnostics.Stopwatch.Frequency);
        while (Outage(host).Count < 4 && System.Diagnostics.Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(20, Ct);
        }

        server.RejectStreamConnections = false;
        await server.WaitForListenersAsync(2, Ct);
        while (!Outage(host).Any(e => e.EventId.Id == 4120) && System.Diagnostics.Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(20, Ct);
        }

        var outage = Outage(host);
        var failures = outage.Count - 1;
        Assert.True(failures >= 4, $"{failures} failed attempts logged");
        string[] expected = ["4111 Warning", .. Enumerable.Repeat("4119 Debug", failures - 1), "4120 Information"];
        Assert.Equal(expected, outage.Select(e => $"{e.EventId.Id} {e.Level}"));
        Assert.Contains($"trade_updates stream back after {failures} failed attempts over ", outage[^1].Text, StringComparison.Ordinal);

        static List<(string Category, Microsoft.Extensions.Logging.LogLevel Level, Microsoft.Extensions.Logging.EventId EventId, string Text)> Outage(AlpacaTestHost host) =>
            [.. host.Logs.Entries.Where(e => e.EventId.Id is 4111 or 4119 or 4120)];
    }

    // Two silos on one key displace each other's connection (docs/alpaca-setup.md): each connection lived a moment after
    // its catch-up and was taken for a recovery, so the backoff started again at ReconnectBaseDelay every time, and each
    // reconnect's catch-up (three REST calls at least) spent the rate limit that orders share, about once a second.
    [Fact]
    public async Task Stream_ConnectionsClosedRightAfterListening_BackOffFurtherEachTime()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        server.CloseNextStreamsAfterListening = 4;
        await using var host = AlpacaTestHost.Create(server, o => o.ReconnectMaxDelay = TimeSpan.FromSeconds(10));
        await using (new ExecutionReportCollector(host.Client))
        {
            await server.WaitForListenersAsync(5, Ct);
        }

        var delays = host.Logs.Entries
            .Where(e => e.EventId.Id is 4111 or 4119)
            .Select(e => TimeSpan.Parse(e.Text.Split("reconnecting in ")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture))
            .ToList();
        Assert.Equal(4, delays.Count);
        for (var attempt = 0; attempt < delays.Count; attempt++)
        {
            // ReconnectBaseDelay (50 ms in the test host) doubled per attempt, at least half of it with the jitter.
            var nominal = TimeSpan.FromMilliseconds(50 * Math.Pow(2, attempt));
            Assert.InRange(delays[attempt], nominal / 2, nominal);
        }

        Assert.Equal(5, server.ListenMessages);
    }

    // A venue that takes the connection and never answers the auth message must not hold the stream: the handshake gives up
    // after StreamHandshakeTimeout and reconnects. The log said only "The operation was canceled.", not what went unanswered.
    [Fact]
    public async Task Stream_AuthNeverAnswered_GivesUpAfterTheHandshakeTimeout_SaysSo_AndReconnects()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        server.IgnoreNextAuths = 1;
        await using var host = AlpacaTestHost.Create(server, o => o.StreamHandshakeTimeout = TimeSpan.FromSeconds(2));
        await using var reports = new ExecutionReportCollector(host.Client);
        await host.Health.StreamHealthy.Task.WaitAsync(TimeSpan.FromSeconds(15), Ct);

        Assert.Equal(2, server.StreamConnections);
        Assert.Equal(2, server.AuthMessages);
        Assert.Equal(1, server.ListenMessages);
        Assert.Equal(["stream:unhealthy", "stream:healthy"], host.Health.Events.Where(e => e.StartsWith("stream:", StringComparison.Ordinal)));
        var lost = Assert.Single(host.Logs.Entries, e => e.EventId.Id == 4111);
        Assert.Contains("Alpaca did not answer the trade_updates authorization within 00:00:02", lost.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Stream_Reconnects_Resubscribes_AndBackFillsMissedFillsExactlyOnce(bool binaryFrames)
    {
        await using var server = await FakeAlpacaServer.StartAsync(binaryFrames);
        await using var host = AlpacaTestHost.Create(server);
        await using var reports = new ExecutionReportCollector(host.Client);
        await host.Health.StreamHealthy.Task.WaitAsync(TimeSpan.FromSeconds(15), Ct);
        var order = await host.Client.SubmitOrderAsync(Limit("s-fill", 10m), Ct);
        var other = await host.Client.SubmitOrderAsync(Limit("s-other", 2m), Ct);
        await server.FillAsync(order.OrderId, 3m, 101m);
        await reports.WaitForAsync(r => r.Execution is { Quantity: 3m });
        await reports.WaitForAsync(r => r.Order.OrderId == other.OrderId && r.Kind == ExecutionReportKind.Accepted);

        server.RejectStreamConnections = true;
        server.DropStreamConnections();
        await server.FillAsync(order.OrderId, 4m, 102m);
        await server.CancelAtVenueAsync(other.OrderId);
        server.RejectStreamConnections = false;

        await server.WaitForListenersAsync(2, Ct);
        await reports.WaitForAsync(r => r.Execution is { Quantity: 4m });
        await reports.WaitForAsync(r => r.Order.OrderId == other.OrderId && r.Kind == ExecutionReportKind.Canceled);
        await server.FillAsync(order.OrderId, 3m, 103m);
        var fills = await reports.WaitForAsync(r => r.Execution is not null, 3);

        Assert.Equal(2, server.AuthMessages);
        Assert.Equal(0, server.LegacyAuthMessages);
        Assert.Equal(2, server.ListenMessages);
        Assert.Equal(2, server.StreamConnections);
        Assert.Equal([3m, 4m, 3m], fills.Select(f => f.Execution!.Quantity));
        Assert.Equal([101m, 102m, 103m], fills.Select(f => f.Execution!.Price));
        Assert.Equal([ExecutionReportKind.PartialFill, ExecutionReportKind.PartialFill, ExecutionReportKind.Fill], fills.Select(f => f.Kind));
        Assert.Equal(3, reports.Reports.Where(r => r.Execution is not null).Select(r => r.Execution!.ExecutionId).Distinct().Count());
        Assert.Equal(3, reports.Reports.Count(r => r.Execution is not null));
        Assert.Equal(["stream:healthy", "stream:unhealthy", "stream:healthy"], host.Health.Events.Where(e => e.StartsWith("stream:", StringComparison.Ordinal)));
    }

    // Partly filled and then canceled while disconnected: the catch-up reports the fill, and the order's end too. The fill's
    // report alone (kind PartialFill, its order reading canceled) leaves the order working at its reader.
    [Fact]
    public async Task Stream_ReportsTheCancel_OfAnOrderPartlyFilledThenCanceledWhileDisconnected()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        await using var reports = new ExecutionReportCollector(host.Client);
        await host.Health.StreamHealthy.Task.WaitAsync(TimeSpan.FromSeconds(15), Ct);
        var order = await host.Client.SubmitOrderAsync(Limit("s-part-cancel", 10m), Ct);
        await reports.WaitForAsync(r => r.Order.OrderId == order.OrderId && r.Kind == ExecutionReportKind.Accepted);

        server.RejectStreamConnections = true;
        server.DropStreamConnections();
        await server.FillAsync(order.OrderId, 4m, 101m);
        await server.CancelAtVenueAsync(order.OrderId);
        server.RejectStreamConnections = false;
        await server.WaitForListenersAsync(2, Ct);

        var fill = Assert.Single(await reports.WaitForAsync(r => r.Execution is not null));
        var canceled = Assert.Single(await reports.WaitForAsync(r => r.Order.OrderId == order.OrderId && r.Kind == ExecutionReportKind.Canceled));
        Assert.Equal((ExecutionReportKind.PartialFill, 4m), (fill.Kind, fill.Execution!.Quantity));
        Assert.Equal((OrderStatus.Canceled, 4m), (canceled.Order.Status, canceled.Order.FilledQuantity));
        Assert.True(reports.Reports.ToList().IndexOf(fill) < reports.Reports.ToList().IndexOf(canceled), "the fill is reported before the cancel");
    }

    // A bracket's exit legs are nested under the entry in the open-order list, not listed on their own: the first catch-up
    // took each working leg for ended, reported it Accepted again and stopped tracking it, so its cancel during a later
    // disconnect was never reported and the leg stayed working at the reader.
    [Fact]
    public async Task Stream_ReportsTheCancelOfABracketLeg_AfterASecondDisconnect()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        await using var reports = new ExecutionReportCollector(host.Client);
        await host.Health.StreamHealthy.Task.WaitAsync(TimeSpan.FromSeconds(15), Ct);
        var entry = await host.Client.SubmitOrderAsync(Limit("s-bracket", 5m) with
        {
            OrderClass = OrderClass.Bracket,
            TakeProfit = new ExitLeg(LimitPrice: 110m),
            StopLoss = new ExitLeg(StopPrice: 90m),
        }, Ct);
        var stopLoss = Assert.Single(entry.Legs, leg => leg.Type == OrderType.Stop).OrderId;
        await server.FillAsync(entry.OrderId, 5m, 100m);
        var legIds = entry.Legs.Select(leg => leg.OrderId).ToHashSet();
        await reports.WaitForAsync(r => legIds.Contains(r.Order.OrderId) && r.Kind == ExecutionReportKind.Accepted, 2);

        await ReconnectAsync(server, host, 2, () => Task.CompletedTask);
        await ReconnectAsync(server, host, 3, () => server.CancelAtVenueAsync(stopLoss));

        var canceled = Assert.Single(await reports.WaitForAsync(r => r.Order.OrderId == stopLoss && r.Kind == ExecutionReportKind.Canceled));
        Assert.Equal(OrderStatus.Canceled, canceled.Order.Status);
        Assert.Single(reports.Reports, r => r.Order.OrderId == stopLoss && r.Kind == ExecutionReportKind.Accepted);
    }

    // Placed and canceled while disconnected, without a fill: the order was never tracked, is not open and has no fill to
    // back-fill, so the catch-up said nothing and the order stayed working at the reader until a reconciliation.
    [Fact]
    public async Task Stream_ReportsTheCancelOfAnOrderPlacedAndCanceledWhileDisconnected()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        await using var reports = new ExecutionReportCollector(host.Client);
        await host.Health.StreamHealthy.Task.WaitAsync(TimeSpan.FromSeconds(15), Ct);
        BrokerOrder? placed = null;

        await ReconnectAsync(server, host, 2, async () =>
        {
            placed = await host.Client.SubmitOrderAsync(Limit("s-gap-cancel", 3m), Ct);
            await server.CancelAtVenueAsync(placed.OrderId);
        });
        var marker = await host.Client.SubmitOrderAsync(Limit("s-gap-marker", 1m), Ct);
        await reports.WaitForAsync(r => r.Order.OrderId == marker.OrderId);

        var canceled = Assert.Single(reports.Reports, r => r.Order.OrderId == placed!.OrderId);
        Assert.Equal((ExecutionReportKind.Canceled, OrderStatus.Canceled), (canceled.Kind, canceled.Order.Status));
    }

    // The entry filled while disconnected: its exits came only nested in the back-filled fill's order and were not tracked,
    // so a later cancel of one during another disconnect was never reported and the leg stayed working at the reader.
    // No overlap, so the entry (submitted before the second connection) is not among the closed orders the third lists.
    [Fact]
    public async Task Stream_ReportsTheCancelOfABracketLeg_WhoseEntryFilledWhileDisconnected()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server, options => options.BackfillOverlap = TimeSpan.Zero);
        await using var reports = new ExecutionReportCollector(host.Client);
        await host.Health.StreamHealthy.Task.WaitAsync(TimeSpan.FromSeconds(15), Ct);
        var entry = await host.Client.SubmitOrderAsync(Limit("s-gap-bracket", 5m) with
        {
            OrderClass = OrderClass.Bracket,
            TakeProfit = new ExitLeg(LimitPrice: 110m),
            StopLoss = new ExitLeg(StopPrice: 90m),
        }, Ct);
        var stopLoss = Assert.Single(entry.Legs, leg => leg.Type == OrderType.Stop).OrderId;
        await reports.WaitForAsync(r => r.Order.OrderId == entry.OrderId && r.Kind == ExecutionReportKind.Accepted);

        await ReconnectAsync(server, host, 2, () => server.FillAsync(entry.OrderId, 5m, 100m));
        await reports.WaitForAsync(r => r.Order.OrderId == entry.OrderId && r.Kind == ExecutionReportKind.Fill);
        await ReconnectAsync(server, host, 3, () => server.CancelAtVenueAsync(stopLoss));
        var marker = await host.Client.SubmitOrderAsync(Limit("s-gap-bracket-marker", 1m), Ct);
        await reports.WaitForAsync(r => r.Order.OrderId == marker.OrderId);

        var canceled = Assert.Single(reports.Reports, r => r.Order.OrderId == stopLoss);
        Assert.Equal((ExecutionReportKind.Canceled, OrderStatus.Canceled), (canceled.Kind, canceled.Order.Status));
    }

    // An order tracked as open that Alpaca no longer returns (404) left the tracking of the reader whose catch-up asked,
    // but not the orders every later reader starts from (those taken): each one asked for it again at its first catch-up,
    // and it kept one of the tracked orders' places for good (the bound past which new orders go untracked).
    [Fact]
    public async Task Stream_ForgetsATrackedOrderAlpacaNoLongerReturns_InsteadOfAskingForItAtEveryReader()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server, options => options.BackfillOverlap = TimeSpan.Zero);
        var order = (BrokerOrder?)null;
        await using (var reports = new ExecutionReportCollector(host.Client))
        {
            await host.Health.StreamHealthy.Task.WaitAsync(TimeSpan.FromSeconds(15), Ct);
            order = await host.Client.SubmitOrderAsync(Limit("s-vanished", 2m), Ct);
            await reports.WaitForAsync(r => r.Order.OrderId == order.OrderId && r.Kind == ExecutionReportKind.Accepted);
            server.AddFault(new FakeFault("GET", "/v2/orders/" + order.OrderId, FakeFaultKind.Status) { StatusCode = 404, Times = 100 });

            // Ended while disconnected after the second connection, so no later list of closed orders names it.
            await ReconnectAsync(server, host, 2, () => Task.CompletedTask);
            await ReconnectAsync(server, host, 3, () => server.CancelAtVenueAsync(order.OrderId));
        }

        const int readers = 5;
        for (var reader = 1; reader <= readers; reader++)
        {
            await using var next = new ExecutionReportCollector(host.Client);
            await server.WaitForListenersAsync(3 + reader, Ct);
            var marker = await host.Client.SubmitOrderAsync(Limit("s-vanished-marker-" + reader, 1m), Ct);
            await next.WaitForAsync(r => r.Order.OrderId == marker.OrderId);
        }

        Assert.Equal(1, server.Requests.Count(r => r.Method == "GET" && r.Path == "/v2/orders/" + order.OrderId));
    }

    // Fills the pump had written into the channel counted as delivered (their ids seen, the back-fill start moved past
    // them) though the reader stopped before taking them: the next reader on the client never got them.
    [Fact]
    public async Task Stream_NextReader_GetsTheFillsAStoppedReaderLeftUnread_AndNotTheOnesItTook()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        var order = await host.Client.SubmitOrderAsync(Limit("s-unread", 10m), Ct);
        using var stopFirst = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var first = host.Client.StreamExecutionReportsAsync(stopFirst.Token).GetAsyncEnumerator(stopFirst.Token);
        var taken = new List<ExecutionReport>();
        try
        {
            await server.FillAsync(order.OrderId, 2m, 101m);
            while (taken.LastOrDefault()?.Execution is null)
            {
                Assert.True(await first.MoveNextAsync());
                taken.Add(first.Current);
            }

            // Two more fills while the reader takes nothing. Once a reconnect has caught up, both are in its channel
            // (live or back-filled), unread.
            await server.FillAsync(order.OrderId, 3m, 102m);
            await server.FillAsync(order.OrderId, 4m, 103m);
            await ReconnectAsync(server, host, 2, () => Task.CompletedTask);
        }
        finally
        {
            await stopFirst.CancelAsync();
            await first.DisposeAsync();
        }

        await using var second = new ExecutionReportCollector(host.Client);
        var fills = await second.WaitForAsync(r => r.Execution is not null, 2);

        var firstFill = Assert.Single(taken, r => r.Execution is not null).Execution!;
        Assert.Equal((2m, 101m), (firstFill.Quantity, firstFill.Price));
        Assert.Equal([(3m, 102m), (4m, 103m)], fills.Select(f => (f.Execution!.Quantity, f.Execution.Price)));
        Assert.DoesNotContain(second.Reports, r => r.Execution?.ExecutionId == firstFill.ExecutionId);
        Assert.Equal(2, second.Reports.Where(r => r.Execution is not null).Select(r => r.Execution!.ExecutionId).Distinct().Count());
    }

    // The same for an order's end: the pump stopped tracking an order once it wrote its Canceled report, so when the reader
    // stopped before taking it, the next reader's catch-up did not know the order had been open and never reported it.
    [Fact]
    public async Task Stream_NextReader_GetsTheCancelAStoppedReaderLeftUnread()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        using var stopFirst = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var first = host.Client.StreamExecutionReportsAsync(stopFirst.Token).GetAsyncEnumerator(stopFirst.Token);
        BrokerOrder order;
        try
        {
            order = await host.Client.SubmitOrderAsync(Limit("s-unread-cancel", 5m), Ct);
            Assert.True(await first.MoveNextAsync());
            Assert.Equal((order.OrderId, ExecutionReportKind.Accepted), (first.Current.Order.OrderId, first.Current.Kind));

            // Once a reconnect has caught up, the cancel is in the reader's channel (live or from the re-check), unread.
            await server.CancelAtVenueAsync(order.OrderId);
            await ReconnectAsync(server, host, 2, () => Task.CompletedTask);
        }
        finally
        {
            await stopFirst.CancelAsync();
            await first.DisposeAsync();
        }

        await using var second = new ExecutionReportCollector(host.Client);

        var canceled = Assert.Single(await second.WaitForAsync(r => r.Order.OrderId == order.OrderId));
        Assert.Equal((ExecutionReportKind.Canceled, OrderStatus.Canceled), (canceled.Kind, canceled.Order.Status));
    }

    [Fact]
    public async Task Stream_Reconnects_AndBackFillsAFill_WhoseEventWasUnreadable()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        await using var reports = new ExecutionReportCollector(host.Client);
        await host.Health.StreamHealthy.Task.WaitAsync(TimeSpan.FromSeconds(15), Ct);
        var order = await host.Client.SubmitOrderAsync(Limit("s-garbled", 5m), Ct);

        await server.FillAsync(order.OrderId, 5m, 99.5m, garbleEvent: true);

        var fill = Assert.Single(await reports.WaitForAsync(r => r.Execution is not null));
        Assert.Equal(ExecutionReportKind.Fill, fill.Kind);
        Assert.Equal(5m, fill.Execution!.Quantity);
        Assert.Equal(99.5m, fill.Execution.Price);
        Assert.Equal(2, server.ListenMessages);
        Assert.Contains(host.Logs.Entries, e => e.EventId.Id == 4113);
    }

    // The execution id is the order's id and its filled_qty after the fill: fill events whose order came without filled_qty
    // all got the id "{order}:0", so the second was dropped as a repeat of the first and never reported.
    [Fact]
    public async Task Stream_FillEventsWithoutTheOrdersFilledQty_AreEachReportedOnce()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        await using var reports = new ExecutionReportCollector(host.Client);
        await host.Health.StreamHealthy.Task.WaitAsync(TimeSpan.FromSeconds(15), Ct);
        var order = await host.Client.SubmitOrderAsync(Limit("s-no-filled-qty", 5m), Ct);

        await server.FillAsync(order.OrderId, 2m, 101m, omitFilledQty: true);
        await reports.WaitForAsync(r => r.Execution is not null);
        await server.FillAsync(order.OrderId, 2m, 102m, omitFilledQty: true);

        var fills = await reports.WaitForAsync(r => r.Execution is not null, 2);
        Assert.Equal([(2m, 101m), (2m, 102m)], fills.Select(f => (f.Execution!.Quantity, f.Execution.Price)));
        Assert.Equal(2, fills.Select(f => f.Execution!.ExecutionId).Distinct().Count());
        Assert.DoesNotContain(fills, f => f.Execution!.ExecutionId.EndsWith(":0", StringComparison.Ordinal));
    }

    // trade_updates is silent while no order changes. A connection gone half-open (no data, no close: a NAT or proxy
    // forgot it) was pinged without a deadline, so the stream stayed "healthy" and every later fill went unreported.
    [Fact]
    public async Task Stream_DetectsAConnectionThatStoppedAnswering_Reconnects_AndReportsTheFillsAfterIt()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        server.StallNextStreams = 1;
        await using var host = AlpacaTestHost.Create(server, o =>
        {
            o.StreamKeepAliveInterval = TimeSpan.FromMilliseconds(250);
            o.StreamKeepAliveTimeout = TimeSpan.FromMilliseconds(500);
        });
        await using var reports = new ExecutionReportCollector(host.Client);
        await host.Health.StreamHealthy.Task.WaitAsync(TimeSpan.FromSeconds(15), Ct);
        var order = await host.Client.SubmitOrderAsync(Limit("s-stalled", 5m), Ct);
        await server.FillAsync(order.OrderId, 2m, 101m);

        await server.WaitForListenersAsync(2, Ct);
        var fill = await reports.WaitForAsync(r => r.Execution is not null);
        await server.FillAsync(order.OrderId, 3m, 102m);
        var fills = await reports.WaitForAsync(r => r.Execution is not null, 2);

        Assert.True(server.StreamConnections >= 2);
        Assert.Equal(2m, Assert.Single(fill).Execution!.Quantity);
        Assert.Equal([2m, 3m], fills.Select(f => f.Execution!.Quantity));
        Assert.Contains("stream:unhealthy", host.Health.Events);
    }

    // A stop aborted the socket (a cancelled receive aborts a ClientWebSocket): Alpaca saw a broken connection on every
    // normal stop, never a close.
    [Fact]
    public async Task Stream_StoppedByItsReader_ClosesTheSocketWithACloseHandshake()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        var reports = new ExecutionReportCollector(host.Client);
        await host.Health.StreamHealthy.Task.WaitAsync(TimeSpan.FromSeconds(15), Ct);

        await reports.DisposeAsync();
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(10);
        while (server.ClosedStreams + server.BrokenStreams == 0 && TimeProvider.System.GetUtcNow() < deadline)
        {
            await Task.Delay(10, Ct);
        }

        Assert.Equal((1, 0), (server.ClosedStreams, server.BrokenStreams));
        Assert.DoesNotContain(host.Logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning);
    }

    [Fact]
    public async Task Stream_ReportsAnUnknownEventAsStatusChanged_NeverAsAFill_AndLogsIt()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        await using var reports = new ExecutionReportCollector(host.Client);
        await host.Health.StreamHealthy.Task.WaitAsync(TimeSpan.FromSeconds(15), Ct);
        var order = await host.Client.SubmitOrderAsync(Limit("s-unknown", 1m), Ct);

        await server.PushEventAsync("restated_by_venue", order.OrderId);

        var report = Assert.Single(await reports.WaitForAsync(r => r.Kind == ExecutionReportKind.StatusChanged));
        Assert.Null(report.Execution);
        Assert.Equal(OrderStatus.Accepted, report.Order.Status);
        Assert.Contains("restated_by_venue", report.Reason, StringComparison.Ordinal);
        Assert.Contains(host.Logs.Entries, e => e.EventId.Id == 4101 && e.Text.Contains("restated_by_venue", StringComparison.Ordinal));
    }

    // Alpaca's `accepted` event (received, not yet routed to the venue) was not in the event table: it came out as an
    // unknown event (StatusChanged with a warning) instead of the broker's acknowledgement.
    [Fact]
    public async Task Stream_ReportsTheAcceptedEvent_AsAccepted()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        await using var reports = new ExecutionReportCollector(host.Client);
        await host.Health.StreamHealthy.Task.WaitAsync(TimeSpan.FromSeconds(15), Ct);
        var order = await host.Client.SubmitOrderAsync(Limit("s-accepted", 1m), Ct);
        await reports.WaitForAsync(r => r.Order.OrderId == order.OrderId);
        server.OverrideStatus(order.OrderId, "accepted");

        await server.PushEventAsync("accepted", order.OrderId);

        var accepted = (await reports.WaitForAsync(r => r.Order.OrderId == order.OrderId, 2))[1];
        Assert.Equal((ExecutionReportKind.Accepted, OrderStatus.Accepted), (accepted.Kind, accepted.Order.Status));
        Assert.Null(accepted.Execution);
        Assert.Null(accepted.Reason);
        Assert.DoesNotContain(host.Logs.Entries, e => e.EventId.Id == 4101);
    }

    [Fact]
    public async Task GetOrder_TreatsAnUnknownStatusAsStillWorking_AndLogsIt()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        var order = await host.Client.SubmitOrderAsync(Limit("s-odd-status", 5m), Ct);
        await server.FillAsync(order.OrderId, 2m, 100m);
        server.OverrideStatus(order.OrderId, "pending_review");

        var fetched = await host.Client.GetOrderAsync(order.OrderId, Ct);

        Assert.Equal(OrderStatus.PartiallyFilled, fetched!.Status);
        Assert.Equal(2m, fetched.FilledQuantity);
        Assert.Contains("pending_review", fetched.Reason, StringComparison.Ordinal);
        Assert.Contains(host.Logs.Entries, e => e.EventId.Id == 4100 && e.Text.Contains("pending_review", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Stream_RefusesASecondConcurrentReader_BecauseAlpacaAllowsOneConnectionPerKey()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        await using var reports = new ExecutionReportCollector(host.Client);
        await host.Health.StreamHealthy.Task.WaitAsync(TimeSpan.FromSeconds(15), Ct);

        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var report in host.Client.StreamExecutionReportsAsync(Ct))
            {
                Assert.Fail($"A second reader received {report.Kind}.");
            }
        });
        Assert.Equal(1, server.StreamConnections);
    }

    [Fact]
    public void BackoffDelay_GrowsExponentially_StaysWithinJitterBounds_AndIsCapped()
    {
        var baseDelay = TimeSpan.FromMilliseconds(100);
        var max = TimeSpan.FromSeconds(2);

        Assert.Equal(TimeSpan.FromMilliseconds(50), AlpacaTradeUpdatesStream.BackoffDelay(0, baseDelay, max, 0.0));
        Assert.Equal(TimeSpan.FromMilliseconds(100), AlpacaTradeUpdatesStream.BackoffDelay(0, baseDelay, max, 1.0));
        Assert.Equal(TimeSpan.FromMilliseconds(400), AlpacaTradeUpdatesStream.BackoffDelay(3, baseDelay, max, 0.0));
        Assert.Equal(TimeSpan.FromMilliseconds(800), AlpacaTradeUpdatesStream.BackoffDelay(3, baseDelay, max, 1.0));
        Assert.Equal(TimeSpan.FromSeconds(1), AlpacaTradeUpdatesStream.BackoffDelay(10, baseDelay, max, 0.0));
        Assert.Equal(TimeSpan.FromSeconds(2), AlpacaTradeUpdatesStream.BackoffDelay(50, baseDelay, max, 1.0));
    }

    [Fact]
    public void ExecutionIdWindow_DropsRepeats_AndForgetsTheOldestBeyondItsCapacity()
    {
        var window = new ExecutionIdWindow(3);

        Assert.True(window.TryAdd("a"));
        Assert.False(window.TryAdd("a"));
        Assert.True(window.TryAdd("b"));
        Assert.True(window.TryAdd("c"));
        Assert.True(window.TryAdd("d"));

        Assert.Equal(3, window.Count);
        Assert.True(window.TryAdd("a"));
        Assert.False(window.TryAdd("d"));
    }

    /// <summary>Drops the stream, does <paramref name="whileDisconnected"/>, and waits until connection <paramref name="connection"/> has caught up.</summary>
    private static async Task ReconnectAsync(FakeAlpacaServer server, AlpacaTestHost host, int connection, Func<Task> whileDisconnected)
    {
        server.RejectStreamConnections = true;
        server.DropStreamConnections();
        await whileDisconnected();
        server.RejectStreamConnections = false;
        await server.WaitForListenersAsync(connection, Ct);
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(15);
        while (host.Health.Events.Count(e => e == "stream:healthy") < connection)
        {
            Assert.True(TimeProvider.System.GetUtcNow() < deadline, $"Connection {connection} did not catch up.");
            await Task.Delay(10, Ct);
        }
    }

    private static OrderRequest Limit(string clientOrderId, decimal quantity) => new()
    {
        ClientOrderId = clientOrderId,
        Symbol = "SPY",
        Side = OrderSide.Buy,
        Type = OrderType.Limit,
        Quantity = quantity,
        LimitPrice = 100m,
        TimeInForce = TimeInForce.Gtc,
    };
}
