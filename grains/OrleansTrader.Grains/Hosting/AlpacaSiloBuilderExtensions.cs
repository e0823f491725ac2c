using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using OrleansTrader.Brokers;
using OrleansTrader.Brokers.Alpaca;
using OrleansTrader.Grains.Brokers.Alpaca;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Hosting;

/// <summary>Silo wiring of the Alpaca broker for the trading grains.</summary>
public static class AlpacaSiloBuilderExtensions
{
    /// <summary>The readiness check (tag "ready") that is degraded while the Alpaca circuit is open or its stream is down.</summary>
    public const string HealthCheckName = "alpaca-link";

    /// <summary>
    /// When the configuration has an "Alpaca" section (from the environment: <c>Alpaca__KeyId</c>, <c>Alpaca__SecretKey</c>,
    /// <c>Alpaca__AccountId</c>, optionally <c>Alpaca__Live</c>), the account named by <c>Alpaca:AccountId</c> trades through
    /// Alpaca. Startup fails with a message naming the setting on missing or placeholder keys, a paper/live mismatch or a
    /// missing account id. Without the section nothing is added and "alpaca" stays refused. Call after
    /// <see cref="TradingSiloBuilderExtensions.AddTradingGrains"/>. Neither keys nor the trading mode can be set by any API.
    /// </summary>
    public static ISiloBuilder AddAlpacaTrading(this ISiloBuilder silo, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(AlpacaOptions.SectionName);
        if (!section.Exists())
        {
            return silo;
        }

        var services = silo.Services;
        services.AddOptions<AlpacaBindingOptions>().Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AlpacaBindingOptions>, AlpacaBindingOptionsValidator>());
        services.TryAddSingleton<AlpacaBrokerHealth>();
        services.AddSingleton<IBrokerHealthListener>(sp => sp.GetRequiredService<AlpacaBrokerHealth>());
        services.AddAlpacaBroker(configuration);
        services.TryAddSingleton<AlpacaBrokerBinding>();
        services.AddHostedService<AlpacaAccountStarter>();
        services.AddHealthChecks().Add(new HealthCheckRegistration(
            HealthCheckName, sp => sp.GetRequiredService<AlpacaBrokerHealth>(), HealthStatus.Degraded, ["broker", "ready"]));
        return silo;
    }
}
