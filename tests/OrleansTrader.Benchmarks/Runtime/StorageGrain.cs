using OrleansTrader.Runtime;

namespace OrleansTrader.Benchmarks.Runtime;

public sealed class StorageGrain([PersistentState("counter")] IPersistentState<BenchCounter> state) : Grain, IStorageGrain
{
    public async Task<int> Increment()
    {
        state.State.Value++;
        await state.WriteStateAsync();
        return state.State.Value;
    }
}
