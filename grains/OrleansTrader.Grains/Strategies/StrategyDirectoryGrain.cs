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
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // Not stored, so not listed: kept in memory, the create's retry found the id listed and wrote nothing, and the
            // next activation of the list lost the strategy it created.
            ids.Remove(strategyId);
            throw;
        }

        return true;
    }

    public async Task RemoveAsync(string strategyId)
    {
        ArgumentNullException.ThrowIfNull(strategyId);
        if (state.State.StrategyIds.Remove(strategyId))
        {
            try
            {
                await state.WriteStateAsync();
            }
            catch
            {
                // Still stored, so still listed (the delete's retry removes it; else it came back, holding one of the 100 places).
                state.State.StrategyIds.Add(strategyId);
                throw;
            }
        }
    }

    public Task<IReadOnlyList<string>> ListAsync() => Task.FromResult<IReadOnlyList<string>>([.. state.State.StrategyIds]);
}
