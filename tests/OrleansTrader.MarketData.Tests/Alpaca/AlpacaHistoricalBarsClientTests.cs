using System.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrleansTrader.MarketData.Alpaca;
using OrleansTrader.MarketData.Hosting;
using OrleansTrader.MarketData.Tests.Support;

namespace OrleansTrader.MarketData.Tests.Alpaca;

public sealed class AlpacaHistoricalBarsClientTests : IAsyncLifetime
{
    private static readonly DateTimeOffset From = new(2021, 2, 22, 14, 30, 0, TimeSpan.Zero);
    private FakeAlpacaRestServer _server = null!;
    private ServiceProvider? _services;

    public async ValueTask InitializeAsync() => _server = await FakeAlpacaRestServer.StartAsync();

    public async ValueTask DisposeAsync()
    {
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }

        await _server.DisposeAsync();
    }

    /// <summary>
    /// Waiting for a client-side rate-limit token ran inside the per-attempt timeout: requests queued behind others
    /// (a warm-up of several symbols at once) timed out without ever being sent, counted as failures for the circuit
    /// breaker and failed the caller, while Alpaca answered every request it got at once.
    /// </summary>
    [Fact]
    public async Task ConcurrentRequests_QueuedBehindTheClientRateLimiter_DoNotTimeOut()
    {
        _server.Respond = (context, _) =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync($$"""{"bars":[{"t":"{{From:yyyy-MM-dd'T'HH:mm:ss'Z'}}","o":1,"h":1,"l":1,"c":1,"v":1}],"next_page_token":null}""");
        };

        // 60 requests a minute is one token a second, so the eighth request waits 7 s for its token, longer than the 5 s
        // each attempt may take. The attempt itself runs on the real clock: at 1.5 s, a first request (a new connection,
        // code not yet compiled) on a loaded two-core machine could outlast it without any token wait involved.
        var client = Client(o =>
        {
            o.RequestsPerMinute = 60;
            o.RequestTimeout = TimeSpan.FromSeconds(5);
            o.MaxRetryAttempts = 0;
        });

        var calls = new[] { "AAPL", "MSFT", "SPY", "QQQ", "IWM", "TSLA", "DIA", "GLD" }
            .Select(s => client.GetAllBarsAsync(s, From, From.AddMinutes(1), cancellationToken: TestContext.Current.CancellationToken))
            .ToList();
        var results = await Task.WhenAll(calls.Select(async c =>
        {
            try
            {
                return (await c).Count == 1 ? "ok" : "wrong count";
            }
            catch (AlpacaDataException ex)
            {
                return ex.Message;
            }
        }));

        Assert.All(results, r => Assert.Equal("ok", r));
    }

    private AlpacaHistoricalBarsClient Client(Action<AlpacaMarketDataOptions>? configure = null, TimeProvider? clock = null)
    {
        var services = new ServiceCollection();
        if (clock is not null)
        {
            services.AddSingleton(clock);
        }

        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddAlpacaMarketData(o =>
        {
            o.KeyId = "PKTESTKEY0001";
            o.SecretKey = "test-secret-0001";
            o.DataBaseUrl = _server.BaseUrl;
            o.RequestsPerMinute = 60_000;
            o.RetryBaseDelay = TimeSpan.FromMilliseconds(1);
            o.PageLimit = 2;
            configure?.Invoke(o);
        });
        _services = services.BuildServiceProvider();
        return _services.GetRequiredService<AlpacaHistoricalBarsClient>();
    }

    private IHistoricalBarSource Source(Action<AlpacaMarketDataOptions>? configure = null)
    {
        Client(configure);
        var source = Assert.Single(_services!.GetServices<IHistoricalBarSource>());
        Assert.Equal("alpaca", source.Name);
        return source;
    }

    private static string MinuteBars(DateTimeOffset first, int count) =>
        "{\"bars\":[" + string.Join(",", Enumerable.Range(0, count).Select(i =>
            $"{{\"t\":\"{first.AddMinutes(i):yyyy-MM-dd'T'HH:mm:ss'Z'}\",\"o\":{10 + i},\"h\":{10 + i},\"l\":{10 + i},\"c\":{10 + i},\"v\":1}}")) + "],\"next_page_token\":null}";

    private static Task Json(HttpContext context, string body)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(body);
    }

    [Fact]
    public async Task GetAllBarsAsync_FollowsNextPageToken_ReturnsAllBarsInOrder_WithKeyHeaders()
    {
        _server.Respond = (context, n) => Json(context, n == 1
            ? """{"bars":[{"t":"2021-02-22T14:30:00Z","o":1.5,"h":2,"l":1,"c":1.75,"v":100,"n":3,"vw":1.6},{"t":"2021-02-22T14:31:00Z","o":2,"h":2,"l":2,"c":2,"v":5,"n":1,"vw":2}],"symbol":"AAPL","next_page_token":"QUFQTHwy"}"""
            : """{"bars":[{"t":"2021-02-22T14:32:00Z","o":3,"h":3,"l":3,"c":3,"v":7,"n":2,"vw":3}],"symbol":"AAPL","next_page_token":null}""");
        var client = Client();

        var bars = await client.GetAllBarsAsync("aapl", From, From.AddMinutes(3), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal([From, From.AddMinutes(1), From.AddMinutes(2)], bars.Select(b => b.Start));
        Assert.Equal((1.5m, 2m, 1m, 1.75m, 100m, 3), (bars[0].Open, bars[0].High, bars[0].Low, bars[0].Close, bars[0].Volume, bars[0].TradeCount));
        Assert.All(bars, b => Assert.Equal("AAPL", b.Symbol));
        var requests = _server.Requests.ToList();
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r =>
        {
            Assert.Equal("/v2/stocks/AAPL/bars", r.Path);
            Assert.Equal("PKTESTKEY0001", r.Headers["APCA-API-KEY-ID"]);
            Assert.Equal("test-secret-0001", r.Headers["APCA-API-SECRET-KEY"]);
        });
        var first = HttpUtility.ParseQueryString(requests[0].Query);
        Assert.Equal(("1Min", "2021-02-22T14:30:00Z", "2021-02-22T14:33:00Z", "2", "iex", null), (first["timeframe"], first["start"], first["end"], first["limit"], first["feed"], first["page_token"]));
        Assert.Equal("QUFQTHwy", HttpUtility.ParseQueryString(requests[1].Query)["page_token"]);
    }

    // Alpaca's historical bars endpoint documents the feeds iex, sip, boats and otc; delayed_sip is a feed of the stream
    // and of the latest/snapshot endpoints only. The stream's feed name was sent as it was, so with Feed = delayed_sip
    // (the plan without real-time SIP) every history request asked for a feed the endpoint does not have.
    [Theory]
    [InlineData("iex", "iex")]
    [InlineData("sip", "sip")]
    [InlineData("delayed_sip", "sip")]
    public async Task GetAllBarsAsync_AsksForAFeedTheBarsEndpointDocuments(string feed, string sent)
    {
        _server.Respond = (context, _) => Json(context, """{"bars":[],"symbol":"AAPL","next_page_token":null}""");
        var client = Client(o => o.Feed = feed);

        await client.GetAllBarsAsync("AAPL", From, From.AddMinutes(3), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(sent, HttpUtility.ParseQueryString(Assert.Single(_server.Requests).Query)["feed"]);
    }

    // A plan with delayed SIP (no real-time SIP) may not ask for SIP data of the last 15 minutes: Alpaca answers 403
    // ("subscription does not permit querying recent SIP data"), so a warm-up asking for the bars up to now failed whole.
    [Fact]
    public async Task GetAllBarsAsync_DelayedSip_AsksOnlyForBarsAtLeast15MinutesOld()
    {
        _server.Respond = (context, _) => Json(context, """{"bars":[],"symbol":"AAPL","next_page_token":null}""");
        var client = Client(o => o.Feed = "delayed_sip", new ManualTimeProvider(From.AddMinutes(16)));
        var ct = TestContext.Current.CancellationToken;

        await client.GetAllBarsAsync("AAPL", From, From.AddMinutes(3), cancellationToken: ct);
        var recent = await client.GetAllBarsAsync("AAPL", From.AddMinutes(10), From.AddMinutes(13), cancellationToken: ct);

        var query = HttpUtility.ParseQueryString(Assert.Single(_server.Requests).Query);
        Assert.Equal(("2021-02-22T14:30:00Z", "2021-02-22T14:31:00Z", "sip"), (query["start"], query["end"], query["feed"]));
        Assert.Empty(recent);
    }

    [Fact]
    public async Task GetAllBarsAsync_On429_RetriesAfterTheAdvisedDelay()
    {
        _server.Respond = (context, n) =>
        {
            if (n == 1)
            {
                context.Response.StatusCode = 429;
                context.Response.Headers.RetryAfter = "1";
                return Task.CompletedTask;
            }

            return Json(context, """{"bars":[{"t":"2021-02-22T14:30:00Z","o":1,"h":1,"l":1,"c":1,"v":1}],"next_page_token":null}""");
        };

        // A base delay of 20 s shows that the 1 s wait came from Retry-After, not from the backoff.
        var client = Client(o => o.RetryBaseDelay = TimeSpan.FromSeconds(20));

        var bars = await client.GetAllBarsAsync("SPY", From, From.AddMinutes(1), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Single(bars);
        var requests = _server.Requests.ToList();
        Assert.Equal(2, requests.Count);
        var waited = TimeProvider.System.GetElapsedTime(requests[0].Timestamp, requests[1].Timestamp);
        Assert.InRange(waited, TimeSpan.FromMilliseconds(950), TimeSpan.FromSeconds(10));
    }

    /// <summary>
    /// Alpaca answers a 429 with X-Ratelimit-Reset (unix seconds at which its rate window resets), not Retry-After
    /// (docs/alpaca.md). Without Retry-After the retry came after the millisecond backoff, inside the same exhausted window.
    /// </summary>
    [Fact]
    public async Task GetAllBarsAsync_On429WithRatelimitReset_RetriesWhenTheWindowResets()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2021, 2, 22, 15, 0, 0, TimeSpan.Zero));
        var reset = clock.GetUtcNow().AddSeconds(30);
        RespondRateLimitedOnceThenWithABar(reset);

        // The attempt timeout is an hour, so the only timer due before then is the wait for the retry.
        var client = Client(o => o.RequestTimeout = TimeSpan.FromHours(1), clock);
        var call = client.GetAllBarsAsync("SPY", From, From.AddMinutes(1), cancellationToken: TestContext.Current.CancellationToken);
        await WaitFor(() => call.IsCompleted || clock.NextDueAt is { } due && due < clock.GetUtcNow().AddMinutes(30));

        Assert.False(call.IsCompleted, $"retried at once, {_server.Requests.Count} requests, before the rate window reset");
        Assert.Equal(reset, clock.NextDueAt);
        clock.Advance(TimeSpan.FromSeconds(30));
        Assert.Single(await call);
        Assert.Equal(2, _server.Requests.Count);
    }

    /// <summary>
    /// X-Ratelimit-Reset is whole unix seconds read against this machine's clock: one already past here (its second has
    /// begun, or this clock runs ahead of Alpaca's) was a wait of zero, and the retry went at once into the spent window.
    /// </summary>
    [Fact]
    public async Task GetAllBarsAsync_On429WithAResetAlreadyPast_WaitsTheBackoffInsteadOfRetryingAtOnce()
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2021, 2, 22, 15, 0, 0, TimeSpan.Zero));
        var reset = clock.GetUtcNow().AddSeconds(-1);
        RespondRateLimitedOnceThenWithABar(reset);

        // The attempt timeout is an hour, so the only timer due before then is the wait for the retry.
        var client = Client(
            o =>
            {
                o.RequestTimeout = TimeSpan.FromHours(1);
                o.RetryBaseDelay = TimeSpan.FromSeconds(20);
            },
            clock);
        var call = client.GetAllBarsAsync("SPY", From, From.AddMinutes(1), cancellationToken: TestContext.Current.CancellationToken);
        await WaitFor(() => call.IsCompleted || clock.NextDueAt is { } due && due < clock.GetUtcNow().AddMinutes(30));

        Assert.False(call.IsCompleted, $"retried at once, {_server.Requests.Count} requests, with the reset already past");
        Assert.Equal(clock.GetUtcNow().AddSeconds(20), clock.NextDueAt);
        clock.Advance(TimeSpan.FromSeconds(20));
        Assert.Single(await call);
        Assert.Equal(2, _server.Requests.Count);
    }

    /// <summary>
    /// A rate limit is not the venue failing: the breaker counted 429s as failures (the trading client's does not), so a
    /// burst of them opened the circuit and every bars request then failed unsent for the break time.
    /// </summary>
    [Fact]
    public async Task GetAllBarsAsync_429s_DoNotOpenTheCircuit()
    {
        _server.Respond = (context, n) =>
        {
            if (n <= 3)
            {
                context.Response.StatusCode = 429;
                context.Response.Headers.RetryAfter = "0";
                return Task.CompletedTask;
            }

            return Json(context, """{"bars":[{"t":"2021-02-22T14:30:00Z","o":1,"h":1,"l":1,"c":1,"v":1}],"next_page_token":null}""");
        };
        var client = Client(o =>
        {
            o.MaxRetryAttempts = 0;
            o.BreakerMinimumThroughput = 2;
            o.BreakerFailureRatio = 1.0;
        });
        var ct = TestContext.Current.CancellationToken;

        for (var call = 1; call <= 3; call++)
        {
            var refused = await Assert.ThrowsAsync<AlpacaDataException>(() => client.GetAllBarsAsync("SPY", From, From.AddMinutes(1), cancellationToken: ct));
            Assert.False(refused.CircuitOpen, $"call {call}: {refused.Message}");
            Assert.Equal(429, refused.StatusCode);
        }

        Assert.Single(await client.GetAllBarsAsync("SPY", From, From.AddMinutes(1), cancellationToken: ct));
        Assert.Equal(4, _server.Requests.Count);
    }

    /// <summary>
    /// A wait asked for longer than MaxRetryAfter (90 s by default) is cut down to it: a Retry-After of an hour, or a rate
    /// window said to reset in an hour, would hold a warm-up for the hour.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task GetAllBarsAsync_On429AskingForAnHour_RetriesAfterMaxRetryAfter(bool ratelimitReset)
    {
        var clock = new ManualTimeProvider(new DateTimeOffset(2021, 2, 22, 15, 0, 0, TimeSpan.Zero));
        var anHourLater = clock.GetUtcNow().AddHours(1);
        _server.Respond = (context, n) =>
        {
            if (n == 1)
            {
                context.Response.StatusCode = 429;
                if (ratelimitReset)
                {
                    context.Response.Headers["X-Ratelimit-Reset"] = anHourLater.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
                }
                else
                {
                    context.Response.Headers.RetryAfter = "3600";
                }

                return Task.CompletedTask;
            }

            return Json(context, """{"bars":[{"t":"2021-02-22T14:30:00Z","o":1,"h":1,"l":1,"c":1,"v":1}],"next_page_token":null}""");
        };

        // The attempt timeout is two hours, so the only timer due before then is the wait for the retry.
        var client = Client(o => o.RequestTimeout = TimeSpan.FromHours(2), clock);
        Assert.Equal(TimeSpan.FromSeconds(90), _services!.GetRequiredService<IOptions<AlpacaMarketDataOptions>>().Value.MaxRetryAfter);
        var call = client.GetAllBarsAsync("SPY", From, From.AddMinutes(1), cancellationToken: TestContext.Current.CancellationToken);
        await WaitFor(() => call.IsCompleted || clock.NextDueAt is { } due && due < clock.GetUtcNow().AddHours(1.5));

        Assert.False(call.IsCompleted, $"retried at once, {_server.Requests.Count} requests");
        Assert.Equal(clock.GetUtcNow().AddSeconds(90), clock.NextDueAt);
        clock.Advance(TimeSpan.FromSeconds(90));
        Assert.Single(await call);
        Assert.Equal(2, _server.Requests.Count);
    }

    /// <summary>The first request answers 429 with an X-Ratelimit-Reset of <paramref name="reset"/>; the next ones a bar.</summary>
    private void RespondRateLimitedOnceThenWithABar(DateTimeOffset reset) => _server.Respond = (context, n) =>
    {
        if (n == 1)
        {
            context.Response.StatusCode = 429;
            context.Response.Headers["X-Ratelimit-Reset"] = reset.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Task.CompletedTask;
        }

        return Json(context, """{"bars":[{"t":"2021-02-22T14:30:00Z","o":1,"h":1,"l":1,"c":1,"v":1}],"next_page_token":null}""");
    };

    private static async Task WaitFor(Func<bool> condition)
    {
        var deadline = TimeProvider.System.GetUtcNow().AddSeconds(10);
        while (!condition())
        {
            Assert.True(TimeProvider.System.GetUtcNow() < deadline, "condition not met within 10 s");
            await Task.Delay(5, TestContext.Current.CancellationToken);
        }
    }

    [Fact]
    public async Task GetAllBarsAsync_On500s_RetriesThenOpensTheCircuit()
    {
        _server.Respond = (context, _) =>
        {
            context.Response.StatusCode = 500;
            return context.Response.WriteAsync("upstream broke");
        };
        var client = Client(o =>
        {
            o.MaxRetryAttempts = 2;
            o.BreakerMinimumThroughput = 3;
            o.BreakerFailureRatio = 1.0;
        });
        var ct = TestContext.Current.CancellationToken;

        var first = await Assert.ThrowsAsync<AlpacaDataException>(() => client.GetAllBarsAsync("SPY", From, From.AddMinutes(1), cancellationToken: ct));
        var second = await Assert.ThrowsAsync<AlpacaDataException>(() => client.GetAllBarsAsync("SPY", From, From.AddMinutes(1), cancellationToken: ct));

        Assert.Equal(500, first.StatusCode);
        Assert.Contains("upstream broke", first.Message, StringComparison.Ordinal);
        Assert.True(second.CircuitOpen);
        Assert.Contains("circuit is open", second.Message, StringComparison.Ordinal);
        Assert.Equal(3, _server.Requests.Count);
    }

    [Fact]
    public async Task GetAllBarsAsync_RateLimiter_SpacesRequests()
    {
        _server.Respond = (context, n) => Json(context, n < 3
            ? $$"""{"bars":[{"t":"2021-02-22T14:3{{n}}:00Z","o":1,"h":1,"l":1,"c":1,"v":1}],"next_page_token":"p{{n}}"}"""
            : """{"bars":[],"next_page_token":null}""");

        // 300 requests a minute is one token every 200 ms and a bucket of one: the third request needs two
        // replenishments after the first request took the initial token, so it comes at least 200 ms later.
        var client = Client(o => o.RequestsPerMinute = 300);

        var started = TimeProvider.System.GetTimestamp();
        var bars = await client.GetAllBarsAsync("SPY", From, From.AddMinutes(5), cancellationToken: TestContext.Current.CancellationToken);
        var elapsed = TimeProvider.System.GetElapsedTime(started);

        // Measured on the client: server arrival times include connection set-up, which can hide the spacing.
        Assert.Equal(2, bars.Count);
        Assert.Equal(3, _server.Requests.Count);
        Assert.True(elapsed >= TimeSpan.FromMilliseconds(195), $"three requests at 300/min took only {elapsed}");
    }

    [Theory]
    [InlineData("", "KeyId is missing")]
    [InlineData("your-key-here", "KeyId holds a placeholder")]
    [InlineData("changeme", "KeyId holds a placeholder")]
    public void Options_RejectMissingOrPlaceholderKeys_WithoutEchoingThem(string key, string expected)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddAlpacaMarketData(o =>
        {
            o.KeyId = key;
            o.SecretKey = "a-real-looking-secret-123";
        });
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<AlpacaMarketDataOptions>>().Value);

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("a-real-looking-secret-123", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_RejectAStreamWithNoChannel()
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddAlpacaMarketData(o =>
        {
            o.KeyId = "a-real-looking-key-123";
            o.SecretKey = "a-real-looking-secret-123";
            o.SubscribeTrades = false;
            o.SubscribeQuotes = false;
            o.SubscribeBars = false;
        });
        using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<AlpacaMarketDataOptions>>().Value);

        Assert.Contains("at least one of SubscribeTrades, SubscribeQuotes and SubscribeBars", ex.Message, StringComparison.Ordinal);
    }

    // Alpaca documents its timeframes up to 59Min, 23Hour, 1Day and 1Week: a week was asked for as "7Day" and 90 minutes
    // as "90Min", which Alpaca does not take.
    [Theory]
    [InlineData(1, "1Min")]
    [InlineData(59, "59Min")]
    [InlineData(60, "1Hour")]
    [InlineData(23 * 60, "23Hour")]
    [InlineData(24 * 60, "1Day")]
    [InlineData(7 * 24 * 60, "1Week")]
    public void Timeframe_SpellsTheIntervalAsAlpacaDocumentsIt(int minutes, string expected) =>
        Assert.Equal(expected, AlpacaHistoricalBarsClient.Timeframe(TimeSpan.FromMinutes(minutes)));

    [Theory]
    [InlineData(90)]
    [InlineData(25 * 60)]
    [InlineData(2 * 24 * 60)]
    [InlineData(30 * 24 * 60)]
    public async Task GetAllBarsAsync_AnIntervalAlpacaHasNoTimeframeFor_IsRefusedWithoutARequest(int minutes)
    {
        _server.Respond = (context, _) => Json(context, """{"bars":[],"next_page_token":null}""");
        var client = Client();

        var ex = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            client.GetAllBarsAsync("SPY", From, From.AddDays(60), TimeSpan.FromMinutes(minutes), TestContext.Current.CancellationToken));

        Assert.Contains("1-59 minutes, 1-23 hours, 1 day or 1 week", ex.Message, StringComparison.Ordinal);
        Assert.Empty(_server.Requests);
    }

    [Fact]
    public async Task HistoricalBarSource_GivesTheLatestEndedMinuteBars_OldestFirst_InOneRequest()
    {
        // Five bars from 14:30; at 14:34:30 the 14:34 bar is still forming.
        _server.Respond = (context, _) => Json(context, MinuteBars(From, 5));
        var source = Source(o => o.PageLimit = 10_000);
        var before = From.AddMinutes(4).AddSeconds(30);

        var bars = await source.GetLatestBarsAsync("SPY", TimeSpan.FromMinutes(1), 3, before, TestContext.Current.CancellationToken);

        Assert.Equal([From.AddMinutes(1), From.AddMinutes(2), From.AddMinutes(3)], bars.Select(b => b.Start));
        Assert.Equal([11m, 12m, 13m], bars.Select(b => b.Close));
        var query = HttpUtility.ParseQueryString(Assert.Single(_server.Requests).Query);
        Assert.Equal(("2021-02-22T13:28:30Z", "2021-02-22T14:34:30Z"), (query["start"], query["end"]));
    }

    [Fact]
    public async Task HistoricalBarSource_WidensItsWindow_OverNightsAndWeekends_UntilItHoldsTheBarsWanted()
    {
        // Monday 14:30: the first window (68 minutes: twice the bars wanted, plus an hour) has 1 bar, the 4-day one 2, the 10-day one all 4.
        _server.Respond = (context, n) => Json(context, MinuteBars(From.AddMinutes(-n - 1), n == 3 ? 4 : n));
        var source = Source(o => o.PageLimit = 10_000);

        var bars = await source.GetLatestBarsAsync("SPY", TimeSpan.FromMinutes(1), 4, From, TestContext.Current.CancellationToken);

        Assert.Equal(4, bars.Count);
        Assert.Equal(["2021-02-22T13:22:00Z", "2021-02-18T14:30:00Z", "2021-02-12T14:30:00Z"],
            _server.Requests.Select(r => HttpUtility.ParseQueryString(r.Query)["start"]));
    }

    [Fact]
    public async Task HistoricalBarSource_ServesMinuteBarsOnly_AndAsksNothingForOtherIntervals()
    {
        var source = Source();

        var bars = await source.GetLatestBarsAsync("SPY", TimeSpan.FromSeconds(1), 30, From, TestContext.Current.CancellationToken);

        Assert.Empty(bars);
        Assert.Empty(_server.Requests);
    }
}
