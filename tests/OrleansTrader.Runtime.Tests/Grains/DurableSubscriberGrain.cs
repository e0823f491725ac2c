namespace OrleansTrader.Runtime.Tests.Grains;

[ImplicitStreamSubscription("durable-events")]
public sealed class DurableSubscriberGrain(TestProbe probe) : StreamSubscriberGrainBase(probe, "durable", "durable-events"), IDurableSubscriberGrain
{
}
