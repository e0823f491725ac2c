using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OrleansTrader.Brokers.Alpaca;
using OrleansTrader.MarketData;
using OrleansTrader.MarketData.Hosting;

namespace OrleansTrader.Grains.Hosting;

/// <summary>Feed:Kind=alpaca: Alpaca's real-time stream as the silo's market data feed.</summary>
internal static class AlpacaMarketFeedExtensions
{
    /// <summary>The readiness check that reports the feed's own state (degraded on a stream error such as 405, 406 or 407).</summary>
    public const string FeedStateCheckName = "feed-state";

    /// <summary>
    /// Registers <c>AlpacaMarketDataStream</c> from <c>MarketData:Alpaca</c> (validated at startup) as the feed the
    /// <see cref="MarketFeedPump"/> reads. Its keys default to the trading keys (<c>Alpaca:KeyId</c>, <c>Alpaca:SecretKey</c>),
    /// since one Alpaca account's keys serve both; Feed:Symbols are added to MarketData:Alpaca:Symbols.
    /// </summary>
    public static IServiceCollection AddAlpacaMarketFeed(this IServiceCollection services, IConfiguration configuration, IEnumerable<string> symbols)
    {
        var tradingKeys = configuration.GetSection(AlpacaOptions.SectionName);
        var extra = symbols.ToList();
        services.AddAlpacaMarketData(options =>
        {
            if (string.IsNullOrWhiteSpace(options.KeyId) && string.IsNullOrWhiteSpace(options.SecretKey))
            {
                options.KeyId = tradingKeys[nameof(AlpacaOptions.KeyId)] ?? string.Empty;
                options.SecretKey = tradingKeys[nameof(AlpacaOptions.SecretKey)] ?? string.Empty;
            }

            foreach (var symbol in extra.Where(s => !options.Symbols.Contains(s, StringComparer.Ordinal)))
            {
                options.Symbols.Add(symbol);
            }

            // Validated once, in the symbol grains (same settings): a price gap the stream's validator re-anchored on was
            // re-anchored again by the grain, which refused as many prints of the new level as the stream had before it.
            options.Validate = false;
        });
        services.AddHealthChecks().Add(new HealthCheckRegistration(
            FeedStateCheckName, sp => new FeedStateHealthCheck(sp.GetRequiredService<IMarketDataFeed>()), HealthStatus.Degraded, [TradingHostExtensions.ReadyTag]));
        return services;
    }
}
