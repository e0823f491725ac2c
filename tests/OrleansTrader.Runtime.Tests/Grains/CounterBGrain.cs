namespace OrleansTrader.Runtime.Tests.Grains;

[GrainType("counter-b")]
public sealed class CounterBGrain([PersistentState("counter", GrainStorageNames.Default)] IPersistentState<CounterState> state) : CounterGrainBase(state), ICounterBGrain
{
}
