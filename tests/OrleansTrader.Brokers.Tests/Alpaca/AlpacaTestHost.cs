using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansTrader.Brokers.Alpaca;
using OrleansTrader.Brokers.Tests.Fakes;

namespace OrleansTrader.Brokers.Tests.Alpaca;

/// <summary>A service provider wired exactly as production (AddAlpacaBroker), pointed at a fake on loopback.</summary>
public sealed class AlpacaTestHost : IAsyncDisposable
{
    private readonly ServiceProvider _provider;

    private AlpacaTestHost(ServiceProvider provider, CapturedLogs logs, RecordingHealthListener health)
    {
        _provider = provider;
        Logs = logs;
        Health = health;
        Client = provider.GetRequiredService<AlpacaTradingClient>();
    }

    public AlpacaTradingClient Client { get; }

    public IServiceProvider Services => _provider;

    public CapturedLogs Logs { get; }

    public RecordingHealthListener Health { get; }

    public static AlpacaTestHost Create(Uri baseUrl, Uri streamUrl, Action<AlpacaOptions>? configure = null, string keyId = FakeAlpacaServer.KeyId, TimeProvider? time = null)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Alpaca:KeyId"] = keyId,
                ["Alpaca:SecretKey"] = FakeAlpacaServer.SecretKey,
                ["Alpaca:TradingBaseUrl"] = baseUrl.ToString(),
                ["Alpaca:StreamUrl"] = streamUrl.ToString(),
                ["Alpaca:RequestTimeout"] = "00:00:10",
                ["Alpaca:RetryBaseDelay"] = "00:00:00.010",
                ["Alpaca:ReconnectBaseDelay"] = "00:00:00.050",
                ["Alpaca:ReconnectMaxDelay"] = "00:00:00.200",
                ["Alpaca:StreamHandshakeTimeout"] = "00:00:05",
            })
            .Build();
        var logs = new CapturedLogs();
        var health = new RecordingHealthListener();
        var services = new ServiceCollection();
        services.AddLogging(builder => builder.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        services.AddSingleton<IBrokerHealthListener>(health);
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddAlpacaBroker(configuration);
        if (configure is not null)
        {
            services.PostConfigure(configure);
        }

        return new AlpacaTestHost(services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true }), logs, health);
    }

    public static AlpacaTestHost Create(FakeAlpacaServer server, Action<AlpacaOptions>? configure = null, TimeProvider? time = null) =>
        Create(server.BaseUrl, server.StreamUrl, configure, time: time);

    public async ValueTask DisposeAsync() => await _provider.DisposeAsync();
}
