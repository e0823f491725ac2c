namespace OrleansTrader.Runtime.Tests.Grains;

/// <summary>The same shape as <see cref="StatelessWorkGrain"/> without [StatelessWorker]: one activation per id.</summary>
[GrainType("single-work")]
public sealed class SingleWorkGrain(TestProbe probe) : WorkGrainBase(probe), ISingleWorkGrain
{
}
