using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Abstractions;

/// <summary>
/// One strategy instance (key: "accountId/strategyId", see <see cref="StrategyKey"/>). Runs a domain strategy on its
/// symbols' "bars"/"ticks" streams and sends order intents to its account; the strategy snapshot is persisted, so a
/// restart resumes where it stopped.
/// </summary>
public interface IStrategyGrain : IGrainWithStringKey
{
    /// <summary>Creates the strategy (stopped). Kinds are the built-in ones (StrategyCatalog) and those registered with the silo (AddStrategy).</summary>
    Task<StrategyCommandResult> CreateAsync(CreateStrategy command);

    Task<StrategyCommandResult> StartAsync();

    Task<StrategyCommandResult> StopAsync();

    /// <summary>Replaces the parameters; the strategy restarts from a fresh snapshot with them.</summary>
    Task<StrategyCommandResult> UpdateParametersAsync(IReadOnlyDictionary<string, string> parameters);

    /// <summary>The status, or null when no strategy exists under this key.</summary>
    [ReadOnly]
    Task<StrategyStatus?> GetStatusAsync();

    /// <summary>
    /// The strategy's days from <paramref name="from"/> to <paramref name="to"/> (trading dates: UTC, or New York's on the NYSE calendar; both included; null: no bound),
    /// today's included while it is open; null when no strategy exists under this key.
    /// </summary>
    Task<StrategyPerformance?> GetPerformanceAsync(DateOnly? from, DateOnly? to);

    /// <summary>The closed trades of the strategy's own positions that match the query, newest first, with the open ones; null when it does not exist.</summary>
    Task<TradeHistory?> GetTradesAsync(TradeQuery query);

    /// <summary>Stops and forgets the strategy.</summary>
    Task<StrategyCommandResult> DeleteAsync();
}
