using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests.Samples;

[GrainType("sample-alert-book")]
public sealed class AlertBookGrain([PersistentState("book")] IPersistentState<AlertBookState> state) : Grain, IAlertBookGrain
{
    public async Task AddAsync(string symbol, decimal above)
    {
        await GrainFactory.GetGrain<IPriceAlertGrain>(symbol).SetThresholdAsync(above);
        if (!state.State.Symbols.Contains(symbol, StringComparer.Ordinal))
        {
            state.State = state.State with { Symbols = [.. state.State.Symbols, symbol] };
            await state.WriteStateAsync();
        }
    }

    public async Task<IReadOnlyList<PriceAlert>> ListAsync() =>
        await Task.WhenAll(state.State.Symbols.Select(symbol => GrainFactory.GetGrain<IPriceAlertGrain>(symbol).GetAsync()));
}
