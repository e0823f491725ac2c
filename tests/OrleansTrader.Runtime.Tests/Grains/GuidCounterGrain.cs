namespace OrleansTrader.Runtime.Tests.Grains;

[GrainType("guid-counter")]
public sealed class GuidCounterGrain([PersistentState("counter")] IPersistentState<CounterState> state) : CounterGrainBase(state), IGuidCounterGrain
{
    public Task<Guid> GetKey() => Task.FromResult(this.GetPrimaryKey());
}
