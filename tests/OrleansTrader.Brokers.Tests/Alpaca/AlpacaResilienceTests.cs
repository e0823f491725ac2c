using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using System.Net;
using System.Net.Sockets;
using OrleansTrader.Brokers.Tests.Fakes;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Brokers.Tests.Alpaca;

public sealed class AlpacaResilienceTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Get_RetriesNoSoonerThanRetryAfter_When429()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        var order = await host.Client.SubmitOrderAsync(Limit("r-429"), Ct);
        server.AddFault(new FakeFault("GET", "/v2/orders/", FakeFaultKind.Status) { StatusCode = 429, RetryAfterSeconds = 1 });

        var fetched = await host.Client.GetOrderAsync(order.OrderId, Ct);

        Assert.Equal(order.OrderId, fetched!.OrderId);
        var gets = server.Requests.Where(r => r.Method == "GET" && r.Path == "/v2/orders/" + order.OrderId).ToList();
        Assert.Equal(2, gets.Count);
        // The delay the retry asked for is exactly Retry-After (not the 10 ms backoff)...
        var retry = Assert.Single(host.Logs.Entries, e => e.EventId.Id == 4107);
        Assert.Contains("after 00:00:01 ", retry.Text, StringComparison.Ordinal);

        // ...and it was really waited out. Timers tick in whole milliseconds, so allow that much slack.
        var waited = Stopwatch.GetElapsedTime(gets[0].Timestamp, gets[1].Timestamp);
        Assert.True(waited >= TimeSpan.FromMilliseconds(990), $"The retry came {waited} after the 429, before Retry-After elapsed.");
    }

    [Fact]
    public async Task Submit_FailsRateLimitedWithRetryAfter_AndIsNotRetried_When429()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        server.AddFault(new FakeFault("POST", "/v2/orders", FakeFaultKind.Status) { StatusCode = 429, RetryAfterSeconds = 7 });

        var error = await Assert.ThrowsAsync<BrokerException>(() => host.Client.SubmitOrderAsync(Limit("r-429-post"), Ct));

        Assert.Equal(BrokerErrorKind.RateLimited, error.Kind);
        Assert.Equal(TimeSpan.FromSeconds(7), error.RetryAfter);
        Assert.Single(server.Requests, r => r.Method == "POST");
        Assert.Equal(0, server.OrderCount);
    }

    // A repeat submit (after an outcome-unknown first attempt) is refused 422 as a duplicate client order id; when the
    // lookup that tells a repeat from a rejection was rate limited, the 429 came back as the submit's outcome, which the
    // account takes as a rejection: it dropped an order that was working at Alpaca.
    [Fact]
    public async Task Submit_RefusedAsARepeat_IsOutcomeUnknown_WhenTheLookupOfTheExistingOrderFails()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server, o => o.MaxRetryAfter = TimeSpan.FromSeconds(2));
        var first = await host.Client.SubmitOrderAsync(Limit("r-422-lookup"), Ct);
        server.AddFault(new FakeFault("GET", "/v2/orders:by_client_order_id", FakeFaultKind.Status) { StatusCode = 429, RetryAfterSeconds = 60 });

        var error = await Assert.ThrowsAsync<BrokerException>(() => host.Client.SubmitOrderAsync(Limit("r-422-lookup"), Ct));

        Assert.Equal(BrokerErrorKind.OutcomeUnknown, error.Kind);
        Assert.Equal(1, server.CountOrders("r-422-lookup"));
        Assert.Equal(first.OrderId, (await host.Client.SubmitOrderAsync(Limit("r-422-lookup"), Ct)).OrderId);
    }

    [Fact]
    public async Task Get_FailsRateLimited_WhenRetryAfterExceedsTheConfiguredMaximum()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server, o => o.MaxRetryAfter = TimeSpan.FromSeconds(2));
        server.AddFault(new FakeFault("GET", "/v2/positions", FakeFaultKind.Status) { StatusCode = 429, RetryAfterSeconds = 60 });

        var error = await Assert.ThrowsAsync<BrokerException>(() => host.Client.GetPositionsAsync(Ct));

        Assert.Equal(BrokerErrorKind.RateLimited, error.Kind);
        Assert.Equal(TimeSpan.FromSeconds(60), error.RetryAfter);
        Assert.Single(server.Requests, r => r.Path == "/v2/positions");
    }

    [Fact]
    public async Task Get_RetriesServerErrors_UntilItSucceeds()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        server.AddFault(new FakeFault("GET", "/v2/positions", FakeFaultKind.Status) { StatusCode = 503, Times = 2 });

        var positions = await host.Client.GetPositionsAsync(Ct);

        Assert.Empty(positions);
        Assert.Equal(3, server.Requests.Count(r => r.Path == "/v2/positions"));
    }

    // 408 says the server gave up waiting for the request (a proxy's idle timeout): nothing was done, and asking again is
    // what it asks for. It was the one transient status a read was not retried on, failing Rejected at once.
    [Fact]
    public async Task Get_IsRetried_WhenTheServerAnswers408()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        server.AddFault(new FakeFault("GET", "/v2/positions", FakeFaultKind.Status) { StatusCode = 408 });

        var positions = await host.Client.GetPositionsAsync(Ct);

        Assert.Empty(positions);
        Assert.Equal(2, server.Requests.Count(r => r.Path == "/v2/positions"));
    }

    [Fact]
    public async Task Get_FailsUnavailable_WhenServerErrorsOutlastTheRetries()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server, o => o.MaxRetryAttempts = 2);
        server.AddFault(new FakeFault("GET", "/v2/positions", FakeFaultKind.Status) { StatusCode = 500, Times = 10 });

        var error = await Assert.ThrowsAsync<BrokerException>(() => host.Client.GetPositionsAsync(Ct));

        Assert.Equal(BrokerErrorKind.Unavailable, error.Kind);
        Assert.Equal(3, server.Requests.Count(r => r.Path == "/v2/positions"));
    }

    [Fact]
    public async Task Cancel_IsRetried_WhenTheVenueAnswersAServerError()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        var order = await host.Client.SubmitOrderAsync(Limit("r-cancel-5xx"), Ct);
        server.AddFault(new FakeFault("DELETE", "/v2/orders/", FakeFaultKind.Status) { StatusCode = 502 });

        var canceled = await host.Client.CancelOrderAsync(order.OrderId, Ct);

        Assert.Equal(OrderStatus.Canceled, canceled.Status);
        Assert.Equal(2, server.Requests.Count(r => r.Method == "DELETE"));
    }

    // A 5xx may come from a proxy whose order service took the order and shows it only later: a look-up that does not find
    // it proves nothing. It was Unavailable ("nothing changed at the venue"), which a caller may take as unsent.
    [Fact]
    public async Task Submit_IsNeverRetried_OnAServerError_AndItsOutcomeIsUnknown()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        server.AddFault(new FakeFault("POST", "/v2/orders", FakeFaultKind.Status) { StatusCode = 500, Times = 5 });

        var error = await Assert.ThrowsAsync<BrokerException>(() => host.Client.SubmitOrderAsync(Limit("r-500-post"), Ct));

        Assert.Equal(BrokerErrorKind.OutcomeUnknown, error.Kind);
        Assert.Single(server.Requests, r => r.Method == "POST");
        Assert.Single(server.Requests, r => r.Path == "/v2/orders:by_client_order_id");
        Assert.Equal(0, server.OrderCount);
    }

    [Fact]
    public async Task Submit_ResolvesByClientOrderId_WhenTheAnswerIsSlowerThanTheTimeout()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server, o => o.RequestTimeout = TimeSpan.FromSeconds(1));
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.AddFault(new FakeFault("POST", "/v2/orders", FakeFaultKind.DelayAfterProcessing) { Gate = answer.Task });

        var order = await host.Client.SubmitOrderAsync(Limit("r-slow"), Ct);
        answer.SetResult();

        Assert.Equal("r-slow", order.ClientOrderId);
        Assert.Equal(1, server.OrderCount);
        Assert.Single(server.Requests, r => r.Method == "POST");
        Assert.Single(server.Requests, r => r.Path == "/v2/orders:by_client_order_id" && r.Query.Contains("r-slow", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Submit_ResolvesByClientOrderId_WhenTheConnectionDropsAfterTheVenueAccepted()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        server.AddFault(new FakeFault("POST", "/v2/orders", FakeFaultKind.AcceptThenDrop));

        var order = await host.Client.SubmitOrderAsync(Limit("r-drop"), Ct);

        Assert.Equal("r-drop", order.ClientOrderId);
        Assert.Equal(1, server.OrderCount);
        Assert.Equal(1, server.CountOrders("r-drop"));
        Assert.Single(server.Requests, r => r.Method == "POST");
    }

    [Fact]
    public async Task Submit_ThrowsOutcomeUnknown_WhenTheOrderIsNotVisibleYet_AndARepeatFindsItOnceItIs()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        // The first submit must time out (the venue holds it); the timeout is long enough that the second, which the venue
        // answers, cannot time out on a busy machine.
        await using var host = AlpacaTestHost.Create(server, o => o.RequestTimeout = TimeSpan.FromSeconds(2));
        var venueProcesses = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.AddFault(new FakeFault("POST", "/v2/orders", FakeFaultKind.DelayBeforeProcessing) { Gate = venueProcesses.Task });

        var error = await Assert.ThrowsAsync<BrokerException>(() => host.Client.SubmitOrderAsync(Limit("r-unknown"), Ct));

        Assert.Equal(BrokerErrorKind.OutcomeUnknown, error.Kind);
        Assert.Equal(0, server.CountOrders("r-unknown"));
        venueProcesses.SetResult();
        var deadline = Stopwatch.GetTimestamp() + (5 * Stopwatch.Frequency);
        while (server.CountOrders("r-unknown") == 0 && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(20, Ct);
        }

        var resolved = await host.Client.SubmitOrderAsync(Limit("r-unknown"), Ct);
        Assert.Equal("r-unknown", resolved.ClientOrderId);
        Assert.Equal(1, server.CountOrders("r-unknown"));
    }

    // The account awaits a submit inside its turn, every other order of the account queued behind it. Against a venue
    // that takes requests and answers none, the submit's timeout was followed by a look-up retried as a read: four
    // attempts of RequestTimeout each, the turn held five timeouts (about 52 s by default, past the 30 s grain call
    // timeout) to end OutcomeUnknown all the same. The look-up goes once; the account's reconciliation looks again.
    [Fact]
    public async Task Submit_LooksItsLostAnswerUpOnce_WhenTheVenueAnswersNothing()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server, o => o.RequestTimeout = TimeSpan.FromMilliseconds(300));
        var venueAnswers = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.AddFault(new FakeFault("POST", "/v2/orders", FakeFaultKind.DelayBeforeProcessing) { Gate = venueAnswers.Task });
        server.AddFault(new FakeFault("GET", "/v2/orders:by_client_order_id", FakeFaultKind.DelayBeforeProcessing) { Gate = venueAnswers.Task, Times = 10 });

        try
        {
            var error = await Assert.ThrowsAsync<BrokerException>(() => host.Client.SubmitOrderAsync(Limit("r-silent"), Ct));

            Assert.Equal(BrokerErrorKind.OutcomeUnknown, error.Kind);
            Assert.Single(server.Requests, r => r.Method == "POST");
            Assert.Single(server.Requests, r => r.Path == "/v2/orders:by_client_order_id");
        }
        finally
        {
            venueAnswers.SetResult();
        }
    }

    [Fact]
    public async Task Submit_ThrowsOutcomeUnknown_WhenTheVenueAcceptedButTheAnswerIsUnreadable()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        server.AddFault(new FakeFault("POST", "/v2/orders", FakeFaultKind.AcceptThenGarbage));

        var error = await Assert.ThrowsAsync<BrokerException>(() => host.Client.SubmitOrderAsync(Limit("r-garbage"), Ct));

        Assert.Equal(BrokerErrorKind.OutcomeUnknown, error.Kind);
        Assert.Equal(1, server.CountOrders("r-garbage"));
        Assert.Single(server.Requests, r => r.Method == "POST");
    }

    [Fact]
    public async Task Submit_ThrowsUnavailable_WhenTheConnectionIsRefused()
    {
        var port = FreePort();
        await using var host = AlpacaTestHost.Create(new Uri($"http://127.0.0.1:{port}/"), new Uri($"ws://127.0.0.1:{port}/stream"), o => o.MaxRetryAttempts = 1);

        var submit = await Assert.ThrowsAsync<BrokerException>(() => host.Client.SubmitOrderAsync(Limit("r-refused"), Ct));
        var read = await Assert.ThrowsAsync<BrokerException>(() => host.Client.GetPositionsAsync(Ct));

        Assert.Equal(BrokerErrorKind.Unavailable, submit.Kind);
        Assert.Equal(BrokerErrorKind.Unavailable, read.Kind);
    }

    [Fact]
    public async Task CircuitBreaker_OpensAfterRepeatedFailures_TellsTheListener_ThenCloses()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server, o =>
        {
            o.MaxRetryAttempts = 0;
            o.CircuitMinimumThroughput = 4;
            o.CircuitFailureRatio = 0.5;
            o.CircuitSamplingDuration = TimeSpan.FromSeconds(5);
            // Long enough that a stalled test machine cannot let the break lapse before the fast-fail check below.
            o.CircuitBreakDuration = TimeSpan.FromSeconds(2);
        });
        server.AddFault(new FakeFault("GET", "/v2/positions", FakeFaultKind.Status) { StatusCode = 500, Times = 1000 });

        for (var i = 0; i < 4; i++)
        {
            var failure = await Assert.ThrowsAsync<BrokerException>(() => host.Client.GetPositionsAsync(Ct));
            Assert.Equal(BrokerErrorKind.Unavailable, failure.Kind);
        }

        Assert.True(host.Health.Opened.Task.IsCompleted, "The listener was not told the circuit opened.");
        var sentBefore = server.Requests.Count;
        var fastFail = await Assert.ThrowsAsync<BrokerException>(() => host.Client.GetPositionsAsync(Ct));
        Assert.Equal(BrokerErrorKind.Unavailable, fastFail.Kind);
        Assert.Contains("circuit", fastFail.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(sentBefore, server.Requests.Count);
        server.ClearFaults();

        var deadline = Stopwatch.GetTimestamp() + (10 * Stopwatch.Frequency);
        while (!host.Health.Closed.Task.IsCompleted && Stopwatch.GetTimestamp() < deadline)
        {
            await Task.Delay(100, Ct);
            try
            {
                await host.Client.GetPositionsAsync(Ct);
            }
            catch (BrokerException ex) when (ex.Kind == BrokerErrorKind.Unavailable)
            {
                // Still open; the break lasts 2 s.
                Assert.Contains("circuit", ex.Message, StringComparison.OrdinalIgnoreCase);
            }
        }

        Assert.True(host.Health.Closed.Task.IsCompleted, "The circuit never closed.");
        Assert.Equal(["opened:alpaca", "closed:alpaca"], host.Health.Events.Where(e => !e.StartsWith("stream:", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task RateLimiter_SendsNoMoreThanThePermitLimit_UntilAFullWindowHasPassed()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server, o =>
        {
            o.MaxRequestsPerWindow = 5;
            o.RateLimitWindow = TimeSpan.FromMilliseconds(100);
            o.ManualRateLimiterReplenishment = true;
        });
        var limiter = host.Client.Resilience;

        var calls = Enumerable.Range(0, 12).Select(_ => host.Client.GetPositionsAsync(Ct)).ToList();
        await WaitUntil(() => limiter.LimiterStatistics!.CurrentQueuedCount == 7);

        Assert.Equal(5, await SettledRequestCount(server, 5));
        for (var segment = 1; segment < 10; segment++)
        {
            await ReplenishSegment(limiter);
        }

        Assert.Equal(7, limiter.LimiterStatistics!.CurrentQueuedCount);
        await ReplenishSegment(limiter);
        await WaitUntil(() => limiter.LimiterStatistics!.CurrentQueuedCount == 2);
        Assert.Equal(10, await SettledRequestCount(server, 10));
        for (var segment = 0; segment < 10; segment++)
        {
            await ReplenishSegment(limiter);
        }

        await Task.WhenAll(calls);
        Assert.Equal(12, server.Requests.Count(r => r.Path == "/v2/positions"));
    }

    // The wait for a permit had no bound (the queue holds 10,000): a submit queued behind the per-minute budget held its
    // account's turn until a permit came, up to a minute and more, and then went out long after the account decided it.
    [Fact]
    public async Task Submit_FailsRateLimitedAndUnsent_WhenNoPermitComesWithinTheRequestTimeout()
    {
        var time = new Paper.ManualTimeProvider(new DateTimeOffset(2026, 3, 2, 15, 0, 0, TimeSpan.Zero));
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server, o =>
        {
            o.MaxRequestsPerWindow = 1;
            o.RateLimitWindow = TimeSpan.FromMilliseconds(100);
            o.RequestTimeout = TimeSpan.FromSeconds(10);
            o.ManualRateLimiterReplenishment = true;
        }, time);
        var limiter = host.Client.Resilience;
        await host.Client.SubmitOrderAsync(Limit("permit-1"), Ct);

        var waiting = host.Client.SubmitOrderAsync(Limit("permit-2"), Ct);
        await WaitUntil(() => limiter.LimiterStatistics!.CurrentQueuedCount == 1);
        time.Advance(TimeSpan.FromSeconds(10));

        // A full window replenished: a submit still waiting would get its permit now, and be sent.
        for (var segment = 0; segment < 10; segment++)
        {
            await ReplenishSegment(limiter);
        }

        var failure = await Assert.ThrowsAsync<BrokerException>(() => waiting);
        Assert.Equal(BrokerErrorKind.RateLimited, failure.Kind);
        Assert.Contains("nothing was sent", failure.Message, StringComparison.Ordinal);
        Assert.Single(server.Requests, r => r.Method == "POST" && r.Path == "/v2/orders");
        Assert.Equal(1, server.OrderCount);
        Assert.Equal(0, limiter.LimiterStatistics!.CurrentQueuedCount);
    }

    /// <summary>
    /// The account awaits a submit inside its turn. Its worst case was a permit wait of up to RequestTimeout, the request,
    /// then for a lost answer a look-up with a permit wait and a request of its own: 40 s, past the 30 s grain call timeout,
    /// so the caller heard a timeout while the order could still go out afterwards. Here each permit comes the moment
    /// before the wait for it would give up, and no request is answered: the submit still ends within SubmitTimeout.
    /// </summary>
    [Fact]
    public async Task Submit_EndsWithinSubmitTimeout_WhenEachPermitComesAtTheLastMomentAndNoAnswerComes()
    {
        var time = new Paper.ManualTimeProvider(new DateTimeOffset(2026, 3, 2, 15, 0, 0, TimeSpan.Zero));
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = OnePermitPerWindow(server, time);
        var options = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<global::OrleansTrader.Brokers.Alpaca.AlpacaOptions>>().Value;
        var limiter = host.Client.Resilience;
        await host.Client.SubmitOrderAsync(Limit("spends-the-permit"), Ct);
        var venueAnswers = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.AddFault(new FakeFault("POST", "/v2/orders", FakeFaultKind.DelayBeforeProcessing) { Gate = venueAnswers.Task });
        server.AddFault(new FakeFault("GET", "/v2/orders:by_client_order_id", FakeFaultKind.DelayBeforeProcessing) { Gate = venueAnswers.Task, Times = 10 });
        var started = time.GetUtcNow();

        var submit = host.Client.SubmitOrderAsync(Limit("last-moment"), Ct);
        try
        {
            // The submit's request, then its look-up's. While one waits for a permit the only timer is that wait's; while
            // one is sent, its timeout's.
            for (var request = 0; request < 2 && await GivePermitAtTheLastMoment(time, limiter, server, submit); request++)
            {
                time.AdvanceTo(time.NextDueAt!.Value);
            }

            var error = await Assert.ThrowsAsync<BrokerException>(() => submit);
            Assert.Equal(BrokerErrorKind.OutcomeUnknown, error.Kind);
            var took = time.GetUtcNow() - started;
            Assert.True(took <= options.SubmitTimeout, $"The submit held its caller {took}, past SubmitTimeout {options.SubmitTimeout}.");
            Assert.Equal(2, server.Requests.Count(r => r.Method == "POST"));
            Assert.Single(server.Requests, r => r.Path == "/v2/orders:by_client_order_id");

            // Under the 30 s grain call timeout with room for the account's own work in the turn.
            Assert.True(options.SubmitTimeout <= TimeSpan.FromSeconds(25), $"SubmitTimeout {options.SubmitTimeout}");
        }
        finally
        {
            venueAnswers.SetResult();
        }
    }

    /// <summary>
    /// A replace is awaited inside the account's turn as a submit is. It waited up to RequestTimeout for its permit and as
    /// long for its answer, then for a lost answer looked the order up with a permit wait and a request of its own each
    /// time: 40 s here, past the 30 s grain call timeout, so the caller heard a timeout while the replace could still go
    /// out. Each permit comes the moment before the wait for it would give up, and no request is answered.
    /// </summary>
    [Fact]
    public async Task Replace_EndsWithinSubmitTimeout_WhenEachPermitComesAtTheLastMomentAndNoAnswerComes()
    {
        var time = new Paper.ManualTimeProvider(new DateTimeOffset(2026, 3, 2, 15, 0, 0, TimeSpan.Zero));
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = OnePermitPerWindow(server, time);
        var options = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<global::OrleansTrader.Brokers.Alpaca.AlpacaOptions>>().Value;
        var limiter = host.Client.Resilience;
        var order = await host.Client.SubmitOrderAsync(Limit("replaced-at-the-last-moment"), Ct);
        var venueAnswers = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        AddSilentOrderWrites(server, venueAnswers.Task);
        var started = time.GetUtcNow();

        var replace = host.Client.ReplaceOrderAsync(order.OrderId, new OrderReplacement { LimitPrice = 411m, ClientOrderId = "replacement" }, Ct);
        try
        {
            // The replace's request, then its look-ups'; each sent one times out unanswered.
            for (var request = 0; request < 5 && await GivePermitAtTheLastMoment(time, limiter, server, replace); request++)
            {
                time.AdvanceTo(time.NextDueAt!.Value);
            }

            var error = await Assert.ThrowsAsync<BrokerException>(() => replace);
            var took = time.GetUtcNow() - started;
            Assert.True(took <= options.SubmitTimeout, $"The replace held its caller {took}, past SubmitTimeout {options.SubmitTimeout}.");
            Assert.Equal(BrokerErrorKind.OutcomeUnknown, error.Kind);
            Assert.Single(server.Requests, r => r.Method == "PATCH");
            Assert.Single(server.Requests, r => r.Method == "GET");
        }
        finally
        {
            venueAnswers.SetResult();
        }
    }

    /// <summary>
    /// A trailing stop's replace first reads the order (Alpaca's `trail` replaces the value of the kind it has), in the
    /// same call: a read retried with a permit wait of RequestTimeout per attempt, so with the replace and its look-up the
    /// caller was held 50 s here. The read is answered, its permit coming at the last moment; nothing after it is.
    /// </summary>
    [Fact]
    public async Task TrailingStopReplace_EndsWithinSubmitTimeout_ItsReadOfTheOrderIncluded()
    {
        var time = new Paper.ManualTimeProvider(new DateTimeOffset(2026, 3, 2, 15, 0, 0, TimeSpan.Zero));
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = OnePermitPerWindow(server, time);
        var options = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<global::OrleansTrader.Brokers.Alpaca.AlpacaOptions>>().Value;
        var limiter = host.Client.Resilience;
        var order = await host.Client.SubmitOrderAsync(new OrderRequest
        {
            ClientOrderId = "trailing", Symbol = "MSFT", Side = OrderSide.Sell, Type = OrderType.TrailingStop, Quantity = 5m, TrailPrice = 2m,
            TimeInForce = TimeInForce.Gtc,
        }, Ct);
        var venueAnswers = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = time.GetUtcNow();

        var replace = host.Client.ReplaceOrderAsync(order.OrderId, new OrderReplacement { TrailPrice = 1.5m, ClientOrderId = "tighter" }, Ct);
        try
        {
            Assert.True(await GivePermitAtTheLastMoment(time, limiter, server, replace), "The read of the order was not sent.");
            await WaitUntil(() => replace.IsCompleted || limiter.LimiterStatistics!.CurrentQueuedCount == 1);
            AddSilentOrderWrites(server, venueAnswers.Task);
            for (var request = 0; request < 5 && await GivePermitAtTheLastMoment(time, limiter, server, replace); request++)
            {
                time.AdvanceTo(time.NextDueAt!.Value);
            }

            var error = await Assert.ThrowsAsync<BrokerException>(() => replace);
            var took = time.GetUtcNow() - started;
            Assert.True(took <= options.SubmitTimeout, $"The trailing stop's replace held its caller {took}, past SubmitTimeout {options.SubmitTimeout}.");
            Assert.Equal(BrokerErrorKind.OutcomeUnknown, error.Kind);
            Assert.Single(server.Requests, r => r.Method == "PATCH");
        }
        finally
        {
            venueAnswers.SetResult();
        }
    }

    [Fact]
    public void Defaults_StayUnderAlpacasLimitOf200RequestsAMinute()
    {
        var options = new global::OrleansTrader.Brokers.Alpaca.AlpacaOptions();

        Assert.True(options.MaxRequestsPerWindow / options.RateLimitWindow.TotalMinutes < 200);
        Assert.False(options.Live);
    }

    /// <summary>
    /// The limiter ignores a manual replenish that comes sooner than one segment (10 ms here) after the last, so
    /// each call first lets a segment's time pass; waiting longer never replenishes more than one segment.
    /// </summary>
    /// <summary>
    /// Alpaca's Trading API answers 429 with X-Ratelimit-Reset (unix seconds when the per-minute window resets), not
    /// Retry-After. A retry before the reset is certain to be throttled again and burns the retries and the window.
    /// </summary>
    [Fact]
    public async Task Get_WaitsForXRatelimitReset_When429HasNoRetryAfter()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        var resetAt = DateTimeOffset.FromUnixTimeSeconds(TimeProvider.System.GetUtcNow().ToUnixTimeSeconds() + 2);
        server.AddFault(new FakeFault("GET", "/v2/positions", FakeFaultKind.Status) { StatusCode = 429, RateLimitResetUnixSeconds = resetAt.ToUnixTimeSeconds() });

        await host.Client.GetPositionsAsync(Ct);

        var gets = server.Requests.Where(r => r.Path == "/v2/positions").ToList();
        Assert.Equal(2, gets.Count);
        var retryArrivedAt = TimeProvider.System.GetUtcNow() - Stopwatch.GetElapsedTime(gets[1].Timestamp);
        Assert.True(retryArrivedAt >= resetAt.AddMilliseconds(-20), $"The retry came at {retryArrivedAt:O}, before the rate window reset at {resetAt:O}.");
    }

    // A 429 whose wait reads as zero was retried at once: Retry-After 0, or an X-Ratelimit-Reset (whole unix seconds, read
    // against this machine's clock) whose second has begun here, or that a clock running ahead of Alpaca's puts in the past.
    // Every retry then went out in the same millisecond into the same spent window, each answered 429 again.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Get_NeverRetriesA429AtOnce_WhenTheWaitItAsksForIsZero(bool resetAlreadyPast)
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        server.AddFault(resetAlreadyPast
            ? new FakeFault("GET", "/v2/positions", FakeFaultKind.Status) { StatusCode = 429, RateLimitResetUnixSeconds = TimeProvider.System.GetUtcNow().ToUnixTimeSeconds() - 1, Times = 2 }
            : new FakeFault("GET", "/v2/positions", FakeFaultKind.Status) { StatusCode = 429, RetryAfterSeconds = 0, Times = 2 });

        await host.Client.GetPositionsAsync(Ct);

        Assert.Equal(3, server.Requests.Count(r => r.Path == "/v2/positions"));
        var delays = host.Logs.Entries
            .Where(e => e.EventId.Id == 4107)
            .Select(e => TimeSpan.Parse(e.Text.Split("after ")[1].Split(" (attempt")[0], System.Globalization.CultureInfo.InvariantCulture))
            .ToList();

        // No sooner than the backoff's own steps: RetryBaseDelay (10 ms in the test host), then twice that.
        Assert.Equal(2, delays.Count);
        Assert.True(delays[0] >= TimeSpan.FromMilliseconds(10), $"The first retry waited {delays[0]}.");
        Assert.True(delays[1] >= TimeSpan.FromMilliseconds(20), $"The second retry waited {delays[1]}.");
    }

    [Fact]
    public async Task Submit_429_CarriesTheResetAsRetryAfter_WhenAlpacaSendsXRatelimitReset()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        var resetAt = DateTimeOffset.FromUnixTimeSeconds(TimeProvider.System.GetUtcNow().ToUnixTimeSeconds() + 20);
        server.AddFault(new FakeFault("POST", "/v2/orders", FakeFaultKind.Status) { StatusCode = 429, RateLimitResetUnixSeconds = resetAt.ToUnixTimeSeconds() });

        var error = await Assert.ThrowsAsync<BrokerException>(() => host.Client.SubmitOrderAsync(Limit("rl-429-reset"), Ct));

        Assert.Equal(BrokerErrorKind.RateLimited, error.Kind);
        Assert.NotNull(error.RetryAfter);
        Assert.InRange(error.RetryAfter!.Value, TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(21));
        Assert.Single(server.Requests, r => r.Method == "POST");
    }

    /// <summary>
    /// A cancel whose answer is lost is retried (DELETE is idempotent); Alpaca answers the retry 422 because its first
    /// attempt already canceled the order. The adapter reported Rejected, so the account marked the cancel rejected and
    /// the user was told the order still works while it is canceled at the venue.
    /// </summary>
    [Fact]
    public async Task Cancel_ReturnsTheCanceledOrder_WhenTheFirstAttemptCanceledItButItsAnswerWasLost()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        var order = await host.Client.SubmitOrderAsync(Limit("cancel-lost"), Ct);
        server.AddFault(new FakeFault("DELETE", "/v2/orders/", FakeFaultKind.AcceptThenDrop));

        var canceled = await host.Client.CancelOrderAsync(order.OrderId, Ct);

        Assert.Equal(OrderStatus.Canceled, canceled.Status);
        Assert.Equal(2, server.Requests.Count(r => r.Method == "DELETE"));
    }

    // A 5xx to a PATCH may come from a proxy after the order service replaced the order. It was Unavailable without a
    // look-up; it is resolved as a lost answer is: here the venue shows no replacement, so the outcome is unknown.
    [Fact]
    public async Task Replace_AnsweredWithAServerError_IsLookedUp_AndItsOutcomeIsUnknown()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        var order = await host.Client.SubmitOrderAsync(Limit("replace-5xx"), Ct);
        server.AddFault(new FakeFault("PATCH", "/v2/orders/", FakeFaultKind.Status) { StatusCode = 502 });

        var error = await Assert.ThrowsAsync<BrokerException>(
            () => host.Client.ReplaceOrderAsync(order.OrderId, new OrderReplacement { LimitPrice = 411m, ClientOrderId = "replace-5xx-new" }, Ct));

        Assert.Equal(BrokerErrorKind.OutcomeUnknown, error.Kind);
        Assert.Single(server.Requests, r => r.Method == "PATCH");
        Assert.Single(server.Requests, r => r.Path == "/v2/orders:by_client_order_id" && r.Query.Contains("replace-5xx-new", StringComparison.Ordinal));
    }

    // A trailing stop's replace whose read of the order fails never sends its PATCH: Unavailable, saying so.
    [Fact]
    public async Task TrailingStopReplace_WhoseReadFails_IsUnavailable_AndNeverSent()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        var order = await host.Client.SubmitOrderAsync(Limit("trail-read-fails") with { Side = OrderSide.Sell, Type = OrderType.TrailingStop, LimitPrice = null, TrailPrice = 2m }, Ct);
        server.AddFault(new FakeFault("GET", "/v2/orders/", FakeFaultKind.Status) { StatusCode = 503 });

        var error = await Assert.ThrowsAsync<BrokerException>(
            () => host.Client.ReplaceOrderAsync(order.OrderId, new OrderReplacement { TrailPrice = 3m }, Ct));

        Assert.Equal(BrokerErrorKind.Unavailable, error.Kind);
        Assert.StartsWith($"The replace of order {order.OrderId} was not sent", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(server.Requests, r => r.Method == "PATCH");
    }

    // A cancel answered 502 is retried; the retry answered 429 (a wait over MaxRetryAfter) speaks only for itself. It was
    // RateLimited ("nothing changed there"), though the first attempt may have canceled the order.
    [Fact]
    public async Task Cancel_ThrottledOnARetry_AfterAServerError_IsOutcomeUnknown()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        var order = await host.Client.SubmitOrderAsync(Limit("cancel-5xx-429"), Ct);
        server.AddFault(new FakeFault("DELETE", "/v2/orders/", FakeFaultKind.Status) { StatusCode = 502 });
        server.AddFault(new FakeFault("DELETE", "/v2/orders/", FakeFaultKind.Status) { StatusCode = 429, RetryAfterSeconds = 600 });

        var error = await Assert.ThrowsAsync<BrokerException>(() => host.Client.CancelOrderAsync(order.OrderId, Ct));

        Assert.Equal(BrokerErrorKind.OutcomeUnknown, error.Kind);
        Assert.Equal(2, server.Requests.Count(r => r.Method == "DELETE"));
    }

    // Alpaca accepted the cancel (2xx); the read of the order after it failed. That read's Unavailable ("nothing changed")
    // was the cancel's answer, though the cancel went through.
    [Fact]
    public async Task Cancel_AcceptedButTheOrderCannotBeReadAfterIt_IsOutcomeUnknown()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        var order = await host.Client.SubmitOrderAsync(Limit("cancel-read-fails"), Ct);
        server.AddFault(new FakeFault("GET", "/v2/orders/", FakeFaultKind.Status) { StatusCode = 503, Times = 10 });

        var error = await Assert.ThrowsAsync<BrokerException>(() => host.Client.CancelOrderAsync(order.OrderId, Ct));

        Assert.Equal(BrokerErrorKind.OutcomeUnknown, error.Kind);
        Assert.Single(server.Requests, r => r.Method == "DELETE");
    }

    // Only retries that all said "nothing done" leave the cancel RateLimited.
    [Fact]
    public async Task Cancel_ThrottledOnEveryAttempt_IsRateLimited()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        var order = await host.Client.SubmitOrderAsync(Limit("cancel-429"), Ct);
        server.AddFault(new FakeFault("DELETE", "/v2/orders/", FakeFaultKind.Status) { StatusCode = 429, RetryAfterSeconds = 600 });

        var error = await Assert.ThrowsAsync<BrokerException>(() => host.Client.CancelOrderAsync(order.OrderId, Ct));

        Assert.Equal(BrokerErrorKind.RateLimited, error.Kind);
        Assert.Single(server.Requests, r => r.Method == "DELETE");
    }

    /// <summary>The contract still holds: a cancel of an order that was already canceled (one attempt) is Rejected.</summary>
    [Fact]
    public async Task Cancel_OfAnOrderAlreadyCanceled_IsStillRejected()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        var order = await host.Client.SubmitOrderAsync(Limit("cancel-twice"), Ct);
        await host.Client.CancelOrderAsync(order.OrderId, Ct);

        var error = await Assert.ThrowsAsync<BrokerException>(() => host.Client.CancelOrderAsync(order.OrderId, Ct));

        Assert.Equal(BrokerErrorKind.Rejected, error.Kind);
    }

    /// <summary>
    /// Closing a position places a new market order at the venue, so a lost answer must not be repeated: a second DELETE
    /// either liquidates again (a short, where nothing holds the quantity) or is refused for the quantity the first one
    /// holds, and the caller is told the close failed while the position is being closed.
    /// </summary>
    [Fact]
    public async Task ClosePosition_IsNotRepeated_WhenItsAnswerIsLost_AndReportsTheOutcomeUnknown()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        var bought = await host.Client.SubmitOrderAsync(Limit("close-lost"), Ct);
        await server.FillAsync(bought.OrderId, bought.Quantity, bought.LimitPrice!.Value);
        server.AddFault(new FakeFault("DELETE", "/v2/positions/", FakeFaultKind.AcceptThenDrop));

        var error = await Assert.ThrowsAsync<BrokerException>(() => host.Client.ClosePositionAsync(bought.Symbol, Ct));

        Assert.Equal(BrokerErrorKind.OutcomeUnknown, error.Kind);
        Assert.Single(server.Requests, r => r.Method == "DELETE");
    }

    // The close was placed (a 2xx) but its body could not be read: reported Unavailable, the caller took the position as
    // still open while Alpaca was liquidating it, and could close it again.
    [Fact]
    public async Task ClosePosition_ReportsTheOutcomeUnknown_WhenA2xxBodyIsUnreadable()
    {
        await using var server = await FakeAlpacaServer.StartAsync();
        await using var host = AlpacaTestHost.Create(server);
        var bought = await host.Client.SubmitOrderAsync(Limit("close-garbage"), Ct);
        await server.FillAsync(bought.OrderId, bought.Quantity, bought.LimitPrice!.Value);
        server.AddFault(new FakeFault("DELETE", "/v2/positions/", FakeFaultKind.AcceptThenGarbage));

        var error = await Assert.ThrowsAsync<BrokerException>(() => host.Client.ClosePositionAsync(bought.Symbol, Ct));

        Assert.Equal(BrokerErrorKind.OutcomeUnknown, error.Kind);
        Assert.Single(server.Requests, r => r.Method == "DELETE");
        Assert.Equal(2, server.OrderCount);
    }

    private static async Task ReplenishSegment(global::OrleansTrader.Brokers.Alpaca.AlpacaResilience limiter)
    {
        await Task.Delay(20, Ct);
        Assert.True(limiter.ReplenishLimiterSegment());
    }

    /// <summary>A client with one rate-limit permit per window, given only by hand (<see cref="GivePermitAtTheLastMoment"/>), on <paramref name="time"/>.</summary>
    private static AlpacaTestHost OnePermitPerWindow(FakeAlpacaServer server, Paper.ManualTimeProvider time) =>
        AlpacaTestHost.Create(server, o =>
        {
            o.MaxRequestsPerWindow = 1;
            o.RateLimitWindow = TimeSpan.FromMilliseconds(100);
            o.ManualRateLimiterReplenishment = true;
        }, time);

    /// <summary>From now on the venue takes order replaces and look-ups and answers none until <paramref name="gate"/> completes.</summary>
    private static void AddSilentOrderWrites(FakeAlpacaServer server, Task gate)
    {
        server.AddFault(new FakeFault("PATCH", "/v2/orders/", FakeFaultKind.DelayBeforeProcessing) { Gate = gate });
        server.AddFault(new FakeFault("GET", "/v2/orders/", FakeFaultKind.DelayBeforeProcessing) { Gate = gate, Times = 10 });
        server.AddFault(new FakeFault("GET", "/v2/orders:by_client_order_id", FakeFaultKind.DelayBeforeProcessing) { Gate = gate, Times = 10 });
    }

    /// <summary>
    /// Waits for <paramref name="call"/>'s next request to queue for a permit, moves the clock to the moment before that
    /// wait gives up (its timer is then the only one) and frees a permit. True once the request reached the venue; false
    /// when the call ended instead.
    /// </summary>
    private static async Task<bool> GivePermitAtTheLastMoment(
        Paper.ManualTimeProvider time, global::OrleansTrader.Brokers.Alpaca.AlpacaResilience limiter, FakeAlpacaServer server, Task call)
    {
        await WaitUntil(() => call.IsCompleted || limiter.LimiterStatistics!.CurrentQueuedCount == 1);
        if (call.IsCompleted)
        {
            return false;
        }

        var givesUp = time.NextDueAt!.Value;
        if (givesUp - time.GetUtcNow() > TimeSpan.FromMilliseconds(1))
        {
            time.AdvanceTo(givesUp - TimeSpan.FromMilliseconds(1));
        }

        var sentBefore = server.Requests.Count;
        for (var segment = 0; segment < 10; segment++)
        {
            await ReplenishSegment(limiter);
        }

        await WaitUntil(() => call.IsCompleted || server.Requests.Count > sentBefore);
        return server.Requests.Count > sentBefore;
    }

    private static async Task WaitUntil(Func<bool> condition)
    {
        var deadline = Stopwatch.GetTimestamp() + (10 * Stopwatch.Frequency);
        while (!condition())
        {
            Assert.True(Stopwatch.GetTimestamp() < deadline, "Condition not reached in time.");
            await Task.Delay(10, Ct);
        }
    }

    /// <summary>Waits for the expected count at the venue, then confirms no further request trails in.</summary>
    private static async Task<int> SettledRequestCount(FakeAlpacaServer server, int expected)
    {
        await WaitUntil(() => server.Requests.Count(r => r.Path == "/v2/positions") >= expected);
        await Task.Delay(100, Ct);
        return server.Requests.Count(r => r.Path == "/v2/positions");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static OrderRequest Limit(string clientOrderId) => new()
    {
        ClientOrderId = clientOrderId,
        Symbol = "MSFT",
        Side = OrderSide.Buy,
        Type = OrderType.Limit,
        Quantity = 5m,
        LimitPrice = 410.25m,
    };
}
