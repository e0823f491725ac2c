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

/// <summary>
/// Every request to Alpaca's data API carries the key id and the secret key as headers, and the stream sends them in its
/// first message: they may go only where the configuration points, and only encrypted unless that is this machine.
/// </summary>
public sealed class AlpacaCredentialTransportTests
{
    private const string KeyId = "PKTRANSPORTKEY01";
    private const string SecretKey = "transport-secret-0001";

    [Theory]
    [InlineData("DataBaseUrl", "http://data.example.com", "MarketData:Alpaca:DataBaseUrl must use https unless it points at this machine.")]
    [InlineData("StreamBaseUrl", "ws://stream.example.com/v2", "MarketData:Alpaca:StreamBaseUrl must use wss unless it points at this machine.")]
    public void Options_RefuseAPlainTextHost_ThatIsNotThisMachine(string setting, string url, string expected)
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Options(o => Set(o, setting, new Uri(url))));

        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(SecretKey, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("DataBaseUrl", "http://127.0.0.1:9")]
    [InlineData("DataBaseUrl", "http://localhost:9")]
    [InlineData("StreamBaseUrl", "ws://127.0.0.1:9/v2")]
    [InlineData("DataBaseUrl", "https://data.example.com")]
    [InlineData("StreamBaseUrl", "wss://stream.example.com/v2")]
    public void Options_TakeAnEncryptedHost_OrAPlainTextOneOnThisMachine(string setting, string url)
    {
        var options = Options(o => Set(o, setting, new Uri(url)));

        Assert.Equal(new Uri(url), setting == "DataBaseUrl" ? options.DataBaseUrl : options.StreamBaseUrl);
    }

    [Fact]
    public async Task ABarsRequest_AnsweredWithARedirect_IsNotFollowed_SoTheKeysStayWithTheConfiguredHost()
    {
        // The client drops only an Authorization header when it follows a redirect; Alpaca's key headers went along to
        // whatever host the answer named.
        await using var configured = await FakeAlpacaRestServer.StartAsync();
        await using var elsewhere = await FakeAlpacaRestServer.StartAsync();
        elsewhere.Respond = (context, _) =>
        {
            context.Response.ContentType = "application/json";
            return context.Response.WriteAsync("""{"bars":[],"next_page_token":null}""");
        };
        configured.Respond = (context, _) =>
        {
            context.Response.StatusCode = StatusCodes.Status302Found;
            context.Response.Headers.Location = new Uri(elsewhere.BaseUrl, "v2/stocks/SPY/bars").AbsoluteUri;
            return Task.CompletedTask;
        };
        await using var services = Services(o => o.DataBaseUrl = configured.BaseUrl);
        var client = services.GetRequiredService<AlpacaHistoricalBarsClient>();
        var from = new DateTimeOffset(2021, 2, 22, 14, 30, 0, TimeSpan.Zero);

        var outcome = await Record.ExceptionAsync(
            () => client.GetAllBarsAsync("SPY", from, from.AddMinutes(5), cancellationToken: TestContext.Current.CancellationToken));

        var leaked = elsewhere.Requests.Select(r => r.Headers.GetValueOrDefault("APCA-API-SECRET-KEY") ?? "(none)");
        Assert.True(elsewhere.Requests.IsEmpty, $"the host the redirect named got {elsewhere.Requests.Count} request(s), APCA-API-SECRET-KEY: {string.Join(", ", leaked)}");
        Assert.Single(configured.Requests);
        Assert.Equal(302, Assert.IsType<AlpacaDataException>(outcome).StatusCode);
    }

    private static void Set(AlpacaMarketDataOptions options, string setting, Uri url)
    {
        if (setting == "DataBaseUrl")
        {
            options.DataBaseUrl = url;
        }
        else
        {
            options.StreamBaseUrl = url;
        }
    }

    private static AlpacaMarketDataOptions Options(Action<AlpacaMarketDataOptions> configure)
    {
        using var services = Services(configure);
        return services.GetRequiredService<IOptions<AlpacaMarketDataOptions>>().Value;
    }

    private static ServiceProvider Services(Action<AlpacaMarketDataOptions> configure)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().Build());
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        services.AddAlpacaMarketData(o =>
        {
            o.KeyId = KeyId;
            o.SecretKey = SecretKey;
            o.RequestsPerMinute = 60_000;
            o.RetryBaseDelay = TimeSpan.FromMilliseconds(1);
            configure(o);
        });
        return services.BuildServiceProvider();
    }
}
