using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using OrleansTrader.MarketData.Alpaca;
using OrleansTrader.MarketData.Csv;
using OrleansTrader.MarketData.Synthetic;
using OrleansTrader.MarketData.Validation;

namespace OrleansTrader.MarketData.Hosting;

/// <summary>
/// Registers one market data feed as <see cref="IMarketDataFeed"/>. Options bind from configuration
/// (<c>MarketData:Csv</c>, <c>MarketData:Synthetic</c>, <c>MarketData:Alpaca</c>, <c>MarketData:Validation</c>) and are
/// validated at startup, so bad settings stop the host with a clear message.
/// </summary>
public static class MarketDataServiceCollectionExtensions
{
    public static IServiceCollection AddCsvReplayFeed(this IServiceCollection services, Action<CsvReplayOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        AddCommon(services);
        Configure(services.AddOptionsWithValidateOnStart<CsvReplayOptions>().BindConfiguration(CsvReplayOptions.SectionName), configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<CsvReplayOptions>, CsvReplayOptionsValidator>());
        services.TryAddSingleton<CsvReplayFeed>();
        services.TryAddSingleton<IMarketDataFeed>(sp => sp.GetRequiredService<CsvReplayFeed>());
        return services;
    }

    public static IServiceCollection AddSyntheticFeed(this IServiceCollection services, Action<SyntheticFeedOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        AddCommon(services);
        Configure(services.AddOptionsWithValidateOnStart<SyntheticFeedOptions>().BindConfiguration(SyntheticFeedOptions.SectionName), configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SyntheticFeedOptions>, SyntheticFeedOptionsValidator>());
        services.TryAddSingleton<SyntheticFeed>();
        services.TryAddSingleton<IMarketDataFeed>(sp => sp.GetRequiredService<SyntheticFeed>());
        return services;
    }

    /// <summary>
    /// The Alpaca stream as the feed, <see cref="AlpacaHistoricalBarsClient"/> on a named HttpClient, and its history as
    /// an <see cref="IHistoricalBarSource"/> (strategies warm up on the feed they will trade on).
    /// </summary>
    public static IServiceCollection AddAlpacaMarketData(this IServiceCollection services, Action<AlpacaMarketDataOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        AddCommon(services);
        Configure(services.AddOptionsWithValidateOnStart<AlpacaMarketDataOptions>().BindConfiguration(AlpacaMarketDataOptions.SectionName), configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AlpacaMarketDataOptions>, AlpacaMarketDataOptionsValidator>());
        // A redirect followed drops only an Authorization header: Alpaca's key headers would go to whatever host it named.
        services.AddHttpClient(AlpacaHistoricalBarsClient.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });
        services.TryAddSingleton<AlpacaHistoricalBarsClient>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHistoricalBarSource, AlpacaHistoricalBarSource>());
        services.TryAddSingleton<AlpacaMarketDataStream>();
        services.TryAddSingleton<IMarketDataFeed>(sp => sp.GetRequiredService<AlpacaMarketDataStream>());
        return services;
    }

    private static void AddCommon(IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptionsWithValidateOnStart<TickValidatorOptions>().BindConfiguration(TickValidatorOptions.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TickValidatorOptions>, TickValidatorOptionsValidator>());
    }

    private static void Configure<T>(OptionsBuilder<T> builder, Action<T>? configure)
        where T : class
    {
        if (configure is not null)
        {
            builder.Configure(configure);
        }
    }
}
