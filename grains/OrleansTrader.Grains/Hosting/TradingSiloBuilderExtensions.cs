using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Calendar;
using OrleansTrader.Domain.Instruments;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Accounts;
using OrleansTrader.Grains.ApiKeys;
using OrleansTrader.Grains.Brokers;
using OrleansTrader.Grains.Diagnostics;
using OrleansTrader.Grains.Paper;
using OrleansTrader.Grains.Strategies;
using OrleansTrader.Grains.Symbols;
using OrleansTrader.Grains.Webhooks;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Hosting;

/// <summary>Silo wiring of the trading grains.</summary>
public static class TradingSiloBuilderExtensions
{
    /// <summary>The readiness check that is degraded while an account's execution reports cannot reach it.</summary>
    public const string ExecutionReportsCheckName = "execution-reports";

    /// <summary>The readiness check that is degraded while an account's P&amp;L and equity cannot reach its breaker.</summary>
    public const string BreakerSignalsCheckName = "breaker-signals";

    /// <summary>
    /// Hosts the account, symbol, strategy and breaker grains with the paper exchange (its venue state in the "default"
    /// grain storage) and the execution report pump. The silo must also have a "default" grain storage, a "memory" and a
    /// "durable" stream provider and a reminder service (<see cref="TradingHostExtensions.AddOrleansTrader"/> adds them all).
    /// </summary>
    public static ISiloBuilder AddTradingGrains(this ISiloBuilder silo, Action<TradingGrainsOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(silo);
        var options = new TradingGrainsOptions();
        configure?.Invoke(options);
        var services = silo.Services;
        silo.AddGrains(typeof(AccountGrain).Assembly);
        silo.AddJsonSerializerContext(GrainsJsonContext.Default);
        silo.AddJsonSerializerContext(GrainsStateJsonContext.Default);
        silo.AddJsonSerializerContext(AccountStateJsonContext.Default);
        silo.AddJsonSerializerContext(ApiKeysStateJsonContext.Default);

        // Execution reports are records with init-only members all the way down: the account takes the report the pump
        // published instead of deserializing the copy on the durable fills stream.
        silo.AddImmutableType<OrleansTrader.Brokers.ExecutionReport>();
        services.AddOptions<AccountGrainOptions>().ValidateOnStart();
        services.AddOptions<SymbolGrainOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AccountGrainOptions>, GrainOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SymbolGrainOptions>, GrainOptionsValidator>());
        services.AddOptions<BacktestFilesOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<BacktestFilesOptions>, GrainOptionsValidator>());
        services.AddMetrics();
        services.TryAddSingleton<GrainsMetrics>();
        services.AddSingleton(new TradingEnvironment(options.Calendar, InstrumentCatalog.Create(options.Instruments).GetValueOrThrow(), options.AcceptUnlistedSymbols, options.FeedHours));
        services.RemoveAll<IPaperVenueStore>();
        services.AddSingleton<IPaperVenueStore>(sp => new GrainStoragePaperVenueStore(
            sp.GetRequiredKeyedService<IGrainStorage>(GrainStorageNames.Default),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<PaperExchangeOptions>>().Value.FinalOrderRetention,
            GrainStoragePaperVenueStore.PruneDelayFor(sp.GetRequiredService<IOptions<AccountGrainOptions>>().Value.ReconcileInterval),
            sp.GetRequiredService<ILogger<GrainStoragePaperVenueStore>>()));
        services.AddPaperExchange(paper =>
        {
            paper.Calendar = PaperCalendarFor(options.Calendar);
            paper.AcceptUnlistedSymbols = options.AcceptUnlistedSymbols;
            foreach (var instrument in options.Instruments)
            {
                paper.Instruments.Add(instrument);
            }

            options.PaperExchange?.Invoke(paper);
        });
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PaperExchangeOptions>>(
            new PaperVenueFollowsTheAccountsValidator(PaperCalendarFor(options.Calendar), options.AcceptUnlistedSymbols, [.. options.Instruments])));
        services.TryAddSingleton<ExecutionReportPump>();
        services.AddHostedService(sp => sp.GetRequiredService<ExecutionReportPump>());
        services.AddHealthChecks().Add(new HealthCheckRegistration(ExecutionReportsCheckName,
            sp => new ExecutionReportHealthCheck(sp.GetRequiredService<ExecutionReportPump>()), HealthStatus.Degraded, [TradingHostExtensions.ReadyTag]));
        services.TryAddSingleton<BreakerSignalOutages>();
        services.AddHealthChecks().Add(new HealthCheckRegistration(BreakerSignalsCheckName,
            sp => new BreakerSignalsHealthCheck(sp.GetRequiredService<BreakerSignalOutages>()), HealthStatus.Degraded, [TradingHostExtensions.ReadyTag]));
        services.TryAddSingleton<IBrokerClientFactory, BrokerClientFactory>();
        StrategyServiceCollectionExtensions.AddStrategyRegistry(services);
        services.TryAddSingleton<Strategies.LatestBarsReader>();
        services.TryAddSingleton<BacktestFileCatalog>();
        services.AddOptions<WebhookOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<WebhookOptions>, GrainOptionsValidator>());
        services.AddOptions<ApiKeyRegistryOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ApiKeyRegistryOptions>, GrainOptionsValidator>());
        // Trading:Webhooks:Timeout bounds each request (WebhookSender); HttpClient's own 100 s default would cut a longer one.
        // The handler checks every address it connects to (WebhookAddressPolicy): a URL is an API caller's choice.
        services.AddHttpClient(WebhookSender.HttpClientName)
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => WebhookAddressPolicy.CreateHandler(sp.GetRequiredService<IOptions<WebhookOptions>>()));
        services.TryAddSingleton<WebhookSender>();
        services.TryAddSingleton<StrategyResumption>();
        services.AddHostedService<KeepAliveResumer>();
        return silo;
    }

    /// <summary>The paper venue's calendar for the one the accounts follow.</summary>
    internal static PaperCalendarKind PaperCalendarFor(ITradingCalendar calendar) =>
        calendar is AlwaysOpenCalendar ? PaperCalendarKind.AlwaysOpen : PaperCalendarKind.Nyse;
}
