namespace OrleansTrader.Runtime.Tests.Grains;

[ImplicitStreamSubscription("memory-events")]
public sealed class MemorySubscriberGrain(TestProbe probe) : StreamSubscriberGrainBase(probe, "memory", "memory-events"), IMemorySubscriberGrain
{
}
