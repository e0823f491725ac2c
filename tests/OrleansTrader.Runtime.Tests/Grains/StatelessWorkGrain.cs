namespace OrleansTrader.Runtime.Tests.Grains;

[StatelessWorker(3)]
[GrainType("stateless-work")]
public sealed class StatelessWorkGrain(TestProbe probe) : WorkGrainBase(probe), IStatelessWorkGrain
{
}
