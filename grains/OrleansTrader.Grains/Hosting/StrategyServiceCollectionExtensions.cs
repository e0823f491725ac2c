using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using OrleansTrader.Domain.Strategies;

namespace OrleansTrader.Grains.Hosting;

/// <summary>Registers strategy kinds of your own beside the built-in ones (docs/strategies.md).</summary>
public static class StrategyServiceCollectionExtensions
{
    /// <summary>
    /// Makes <paramref name="definition"/>'s kind available to every strategy the silo hosts, through the API and the
    /// strategy grains. A definition is checked here (a bad one throws with the reason before the host is built) and
    /// again with the others when the silo starts (two of one kind stop it with the reason).
    /// </summary>
    public static IServiceCollection AddStrategy(this IServiceCollection services, StrategyDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(definition);

        // Here rather than only at the start: a start that fails races whatever else is starting, and the reason can be
        // lost behind that (an in-process test host reported an ObjectDisposedException instead).
        StrategyRegistry.CheckDefinition(definition);
        services.AddSingleton(definition);
        AddStrategyRegistry(services);
        return services;
    }

    internal static void AddStrategyRegistry(IServiceCollection services)
    {
        services.TryAddSingleton(sp => new StrategyRegistry(sp.GetServices<StrategyDefinition>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, StrategyRegistryCheck>());
    }

    /// <summary>
    /// Takes the registry when the host starts its services, which builds it and so checks every definition: a bad one
    /// fails the start instead of the first strategy of its kind.
    /// </summary>
    private sealed class StrategyRegistryCheck(StrategyRegistry registry) : IHostedService
    {
        public StrategyRegistry Registry { get; } = registry;

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
