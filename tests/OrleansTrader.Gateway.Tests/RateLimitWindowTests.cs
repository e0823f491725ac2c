using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansTrader.Gateway.Security;
using OrleansTrader.Gateway.Tests.Infrastructure;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Gateway.Tests;

/// <summary>
/// docs/api.md "Rate limits", as known answers on a clock the test moves: fixed windows of Gateway:RateLimits:Window, and a
/// refusal's Retry-After is the rest of the window that refused it, in whole seconds rounded up. A client that waits that
/// long is let in; one that waits less is not. (A whole window every time would hold a client back for up to a window
/// longer than the limit does.)
/// </summary>
public sealed class RateLimitWindowTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task KeyLimit_RetryAfter_IsTheRestOfTheWindow_AndTheNextWindowLetsTheKeyIn()
    {
        var clock = new FakeTimeProvider();
        await using var host = await StartAsync(clock, new Dictionary<string, string?> { ["Gateway:RateLimits:PermitsPerWindow"] = "3" });
        var account = await host.CreateAccountAsync();
        var (key, _) = await host.IssueKeyAsync(["trader"], [account]);

        // The key's window starts with its first request.
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(host, HttpMethod.Get, $"/api/accounts/{account}", key));
        clock.Advance(45 * Second);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(host, HttpMethod.Get, $"/api/accounts/{account}", key));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(host, HttpMethod.Get, $"/api/accounts/{account}", key));

        Assert.Equal(15, await RefusedRetryAfterAsync(host, HttpMethod.Get, $"/api/accounts/{account}", key));
        clock.Advance(14.5 * Second);
        Assert.Equal(1, await RefusedRetryAfterAsync(host, HttpMethod.Get, $"/api/accounts/{account}", key));
        clock.Advance(0.5 * Second);
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(host, HttpMethod.Get, $"/api/accounts/{account}", key));
    }

    [Fact]
    public async Task OrderLimit_RetryAfter_IsTheRestOfTheWindow_AndTheNextWindowTakesOrdersAgain()
    {
        var clock = new FakeTimeProvider();
        await using var host = await StartAsync(clock, new Dictionary<string, string?> { ["Gateway:RateLimits:OrderPermitsPerWindow"] = "2" });
        var account = await host.CreateAccountAsync();
        var (key, _) = await host.IssueKeyAsync(["trader"], [account]);
        var orders = $"/api/accounts/{account}/orders";

        Assert.NotEqual(HttpStatusCode.TooManyRequests, await StatusAsync(host, HttpMethod.Post, orders, key, Order("rw-1")));
        clock.Advance(20 * Second);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, await StatusAsync(host, HttpMethod.Post, orders, key, Order("rw-2")));

        Assert.Equal(40, await RefusedRetryAfterAsync(host, HttpMethod.Post, orders, key, Order("rw-3")));
        clock.Advance(39 * Second);
        Assert.Equal(1, await RefusedRetryAfterAsync(host, HttpMethod.Post, orders, key, Order("rw-3")));
        clock.Advance(Second);
        Assert.NotEqual(HttpStatusCode.TooManyRequests, await StatusAsync(host, HttpMethod.Post, orders, key, Order("rw-3")));
    }

    [Fact]
    public async Task AnonymousLimit_RetryAfter_IsTheRestOfTheWindow()
    {
        var clock = new FakeTimeProvider();
        await using var host = await StartAsync(clock, new Dictionary<string, string?> { ["Gateway:RateLimits:AnonymousPermitsPerWindow"] = "2" });

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(host, HttpMethod.Get, "/api/accounts", null));
        clock.Advance(50 * Second);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(host, HttpMethod.Get, "/api/accounts", null));

        Assert.Equal(10, await RefusedRetryAfterAsync(host, HttpMethod.Get, "/api/accounts", null));
        clock.Advance(10 * Second);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(host, HttpMethod.Get, "/api/accounts", null));
    }

    [Fact]
    public void FailedKeyLookups_RetryAfter_IsTheRestOfTheWindow_AndTheNextWindowLooksKeysUpAgain()
    {
        var clock = new FakeTimeProvider();
        var options = new GatewayOptions();
        options.RateLimits.FailedKeyLookupsPerWindow = 2;
        using var services = new ServiceCollection().AddSingleton<TimeProvider>(clock).AddSingleton(Options.Create(options)).BuildServiceProvider();
        using var throttle = ActivatorUtilities.CreateInstance<FailedKeyLookupThrottle>(services);

        FailedLookup(throttle, "203.0.113.7");
        clock.Advance(50 * Second);
        FailedLookup(throttle, "203.0.113.7");

        Assert.False(throttle.TryStartLookup("203.0.113.7", out var retryAfter));
        Assert.Equal(10 * Second, retryAfter);
        Assert.True(throttle.TryStartLookup("198.51.100.9", out _));
        clock.Advance(9 * Second);
        Assert.False(throttle.TryStartLookup("203.0.113.7", out retryAfter));
        Assert.Equal(Second, retryAfter);
        clock.Advance(Second);
        Assert.True(throttle.TryStartLookup("203.0.113.7", out _));
    }

    [Fact]
    public void FailedKeyLookups_InFlight_CountAgainstTheBudget_UntilTheyEnd_AndOnesThatFindTheirKeyGiveItBack()
    {
        var clock = new FakeTimeProvider();
        var options = new GatewayOptions();
        options.RateLimits.FailedKeyLookupsPerWindow = 2;
        using var services = new ServiceCollection().AddSingleton<TimeProvider>(clock).AddSingleton(Options.Create(options)).BuildServiceProvider();
        using var throttle = ActivatorUtilities.CreateInstance<FailedKeyLookupThrottle>(services);

        Assert.True(throttle.TryStartLookup("203.0.113.7", out _));
        Assert.True(throttle.TryStartLookup("203.0.113.7", out _));
        Assert.False(throttle.TryStartLookup("203.0.113.7", out var retryAfter));
        Assert.Equal(FailedKeyLookupThrottle.LookupsInFlightRetryAfter, retryAfter);
        Assert.True(throttle.TryStartLookup("198.51.100.9", out _));

        throttle.EndLookup("203.0.113.7", failed: false);
        Assert.True(throttle.TryStartLookup("203.0.113.7", out _));
        throttle.EndLookup("203.0.113.7", failed: true);
        throttle.EndLookup("203.0.113.7", failed: true);
        Assert.False(throttle.TryStartLookup("203.0.113.7", out retryAfter));
        Assert.Equal(60 * Second, retryAfter);
    }

    private static void FailedLookup(FailedKeyLookupThrottle throttle, string address)
    {
        Assert.True(throttle.TryStartLookup(address, out _));
        throttle.EndLookup(address, failed: true);
    }

    /// <summary>
    /// Idle partitions are forgotten (docs/api.md), but one that took permits in the window now must not be: a new one in
    /// its place would hand out the window's permits again.
    /// </summary>
    [Fact]
    public void Limiter_IsIdle_OnlyWhileItsWindowHoldsNoTakenPermits()
    {
        var clock = new FakeTimeProvider();
        using var limiter = new FixedWindowLimiter(2, TimeSpan.FromMinutes(1), clock);

        using (var lease = limiter.AttemptAcquire())
        {
            Assert.True(lease.IsAcquired);
        }

        clock.Advance(59 * Second);
        Assert.Null(limiter.IdleDuration);
        Assert.Equal(1, limiter.GetStatistics()!.CurrentAvailablePermits);

        clock.Advance(2 * Second);
        Assert.Equal(61 * Second, limiter.IdleDuration);
        Assert.Equal(2, limiter.GetStatistics()!.CurrentAvailablePermits);
    }

    private static Task<GatewayHost> StartAsync(FakeTimeProvider clock, Dictionary<string, string?> settings)
    {
        settings["Gateway:RateLimits:Window"] = "00:01:00";
        return GatewayHost.StartAsync(settings, services: s => s.AddSingleton<TimeProvider>(clock));
    }

    private static object Order(string clientOrderId) =>
        new { clientOrderId, symbol = "RATE", side = "buy", type = "market", quantity = 1, timeInForce = "day" };

    private static async Task<HttpStatusCode> StatusAsync(GatewayHost host, HttpMethod method, string path, string? key, object? body = null)
    {
        using var response = await host.SendAsync(method, path, key, body);
        return response.StatusCode;
    }

    /// <summary>The Retry-After of a request that must be refused, in seconds.</summary>
    private static async Task<int> RefusedRetryAfterAsync(GatewayHost host, HttpMethod method, string path, string? key, object? body = null)
    {
        using var response = await host.SendAsync(method, path, key, body);
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        return int.Parse(Assert.Single(response.Headers.GetValues("Retry-After")), NumberStyles.None, CultureInfo.InvariantCulture);
    }
}
