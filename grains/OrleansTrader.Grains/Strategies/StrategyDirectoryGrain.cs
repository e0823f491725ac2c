using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Strategies;

/// <summary>One account's strategy ids, persisted before a change is acknowledged and bounded per account.</summary>
internal sealed class StrategyDirectoryGrain(
    [PersistentState("strategy-directory")] IPersistentState<StrategyDirectoryState> state) : Grain, IStrategyDirectoryGrain
{
    internal const int MaxStrategies = StrategyLimits.MaxPerAccount;

    public async Task<bool> AddAsync(string strategyId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(strategyId);
        var ids = state.State.StrategyIds;
        if (ids.Contains(strategyId))
        {
            return true;
        }

        if (ids.Count >= MaxStrategies)
        {
            return false;
        }

        ids.Add(strategyId);
        await state.WriteStateAsync();
        return true;
    }

    public async Task RemoveAsync(string strategyId)
    {
        ArgumentNullException.ThrowIfNull(strategyId);
        if (state.State.StrategyIds.Remove(strategyId))
        {
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<string>> ListAsync() => Task.FromResult<IReadOnlyList<string>>([.. state.State.StrategyIds]);
}
