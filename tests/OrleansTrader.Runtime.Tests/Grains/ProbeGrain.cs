namespace OrleansTrader.Runtime.Tests.Grains;

[CollectionAgeLimit(Minutes = 2)]
public sealed class ProbeGrain(TestProbe probe) : ProbeGrainBase(probe), IProbeGrain
{
}
