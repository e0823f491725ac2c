namespace OrleansTrader.Runtime.Tests.Grains;

[GrainType("counter-a")]
public sealed class CounterAGrain([PersistentState("counter")] IPersistentState<CounterState> state) : CounterGrainBase(state), ICounterAGrain
{
}
