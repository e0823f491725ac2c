using System.Diagnostics;
using OrleansTrader.Brokers.Tests.Fakes;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Brokers.Tests.Alpaca;

/// <summary>Alpaca retries: a 429 waits for the rate window (X-Ratelimit-Reset), a cancel whose answer was lost is the canceled order.</summary>
public sealed class AlpacaRetryEdgeCaseTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

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
