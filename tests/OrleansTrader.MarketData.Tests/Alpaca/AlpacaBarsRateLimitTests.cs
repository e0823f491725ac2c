using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansTrader.MarketData.Alpaca;
using OrleansTrader.MarketData.Hosting;
using OrleansTrader.MarketData.Tests.Support;

namespace OrleansTrader.MarketData.Tests.Alpaca;

/// <summary>Historical bar requests queued behind the client's own rate limiter do not time out while they wait.</summary>
public sealed class AlpacaBarsRateLimitTests : IAsyncLifetime
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

        // 120 requests a minute is one token every 500 ms; each attempt may take 1.5 s, far more than the venue needs.
        var client = Client(o =>
        {
            o.RequestsPerMinute = 120;
            o.RequestTimeout = TimeSpan.FromMilliseconds(1500);
            o.MaxRetryAttempts = 0;
        });

        var calls = new[] { "AAPL", "MSFT", "SPY", "QQQ", "IWM", "TSLA" }
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

    private AlpacaHistoricalBarsClient Client(Action<AlpacaMarketDataOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddAlpacaMarketData(o =>
        {
            o.KeyId = "PKTESTKEY0001";
            o.SecretKey = "test-secret-0001";
            o.DataBaseUrl = _server.BaseUrl;
            o.RetryBaseDelay = TimeSpan.FromMilliseconds(1);
            configure(o);
        });
        _services = services.BuildServiceProvider();
        return _services.GetRequiredService<AlpacaHistoricalBarsClient>();
    }
}
