using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace OrleansTrader.Brokers.Alpaca;

public static class AlpacaServiceCollectionExtensions
{
    /// <summary>The keyed-service key of the Alpaca <see cref="IBrokerClient"/>.</summary>
    public const string BrokerKey = "alpaca";

    /// <summary>
    /// Registers the Alpaca adapter from the "Alpaca" section (keys from the environment: Alpaca__KeyId,
    /// Alpaca__SecretKey). Startup fails on missing or placeholder keys and on a paper/live mismatch.
    /// Registers <see cref="AlpacaTradingClient"/> and a keyed <see cref="IBrokerClient"/> ("alpaca").
    /// </summary>
    public static IServiceCollection AddAlpacaBroker(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<AlpacaOptions>()
            .Bind(configuration.GetSection(AlpacaOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AlpacaOptions>, AlpacaOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);

        services.AddHttpClient(AlpacaTradingClient.HttpClientName)
            .ConfigureHttpClient((provider, client) =>
            {
                var options = provider.GetRequiredService<IOptions<AlpacaOptions>>().Value;
                client.BaseAddress = options.ResolveTradingBaseUrl();

                // Each attempt has its own Polly timeout; HttpClient's would cut across retries.
                client.Timeout = Timeout.InfiniteTimeSpan;
                client.DefaultRequestHeaders.Add("APCA-API-KEY-ID", options.KeyId);
                client.DefaultRequestHeaders.Add("APCA-API-SECRET-KEY", options.SecretKey);
            })
            .RedactLoggedHeaders(["APCA-API-KEY-ID", "APCA-API-SECRET-KEY"])
            // A followed redirect drops only an Authorization header: the key headers would go to whatever host it named.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false });

        services.TryAddSingleton<AlpacaTradingClient>();
        services.TryAddKeyedSingleton<IBrokerClient>(BrokerKey, (provider, _) => provider.GetRequiredService<AlpacaTradingClient>());
        // One instance for the silo's life: the health framework would make a new one per run, forgetting the venue's
        // last answer that AlpacaHealthCheck reuses.
        services.TryAddSingleton<AlpacaHealthCheck>();
        services.AddHealthChecks().AddCheck<AlpacaHealthCheck>("alpaca", HealthStatus.Unhealthy, ["broker", "ready"]);
        return services;
    }
}
