using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace OrleansTrader.Brokers.Paper;

public static class PaperServiceCollectionExtensions
{
    /// <summary>
    /// Registers the paper venue: <see cref="PaperExchange"/> (singleton; restored from the store at host start),
    /// validated <see cref="PaperExchangeOptions"/>, the system <see cref="TimeProvider"/> and an
    /// <see cref="InMemoryPaperVenueStore"/> unless the host registered a durable <see cref="IPaperVenueStore"/> first.
    /// </summary>
    public static IServiceCollection AddPaperExchange(this IServiceCollection services, Action<PaperExchangeOptions>? configure = null)
    {
        var options = services.AddOptions<PaperExchangeOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        options.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PaperExchangeOptions>, PaperExchangeOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IPaperVenueStore, InMemoryPaperVenueStore>();
        services.TryAddSingleton<PaperExchange>();
        services.AddHostedService<PaperExchangeStarter>();
        return services;
    }
}
