namespace OrleansTrader.Runtime.Tests.Grains;

[GrainType("integer-counter")]
public sealed class IntegerCounterGrain([PersistentState("counter")] IPersistentState<CounterState> state) : CounterGrainBase(state), IIntegerCounterGrain
{
    public Task<long> GetKey() => Task.FromResult(this.GetPrimaryKeyLong());
}
