namespace OrleansTrader.Runtime.Tests.Grains;

[Reentrant]
public sealed class ReentrantProbeGrain(TestProbe probe) : ProbeGrainBase(probe), IReentrantProbeGrain
{
}
