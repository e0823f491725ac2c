namespace OrleansTrader.Runtime;

/// <summary>
/// One consumer of a stream: a grain (implicit subscriber, or holder of explicit subscriptions, stored or in memory;
/// events go through its mailbox, activating it if needed) or a client subscription (called directly). <see cref="ConsumerId"/> names its durable checkpoint.
/// </summary>
internal readonly record struct StreamConsumer(string ConsumerId, GrainId? Grain, IActivationStreamSubscription? ClientSubscription, bool IsImplicit)
{
    /// <summary>The checkpoint name of a subscription's consumer: its owner grain, or the client handle (unique, never reused).</summary>
    public static string IdOf(IActivationStreamSubscription subscription) =>
        subscription.Owner?.GrainId.ToString() ?? $"client/{subscription.HandleId:N}";

    public static List<StreamConsumer> Resolve(
        GrainRuntime runtime, StreamSubscriptionRegistry subscriptions, StreamId streamId, StoredStreamSubscription[]? stored = null) =>
        Resolve(runtime, subscriptions.Get(streamId), streamId, stored);

    /// <summary>The consumers of a stream given a snapshot of its live subscriptions (<see cref="StreamSubscriptionRegistry.Get"/>).</summary>
    public static List<StreamConsumer> Resolve(
        GrainRuntime runtime, IActivationStreamSubscription[] live, StreamId streamId, StoredStreamSubscription[]? stored = null)
    {
        var consumers = new List<StreamConsumer>();
        foreach (var grainClass in runtime.Registry.GetImplicitSubscribers(streamId.Namespace))
        {
            var grainId = new GrainId(grainClass.GrainType, streamId.Key);
            consumers.Add(new StreamConsumer(grainId.ToString(), grainId, null, IsImplicit: true));
        }

        if (stored is not null)
        {
            foreach (var subscription in stored)
            {
                var id = subscription.Subscriber.ToString();
                if (!consumers.Exists(c => c.ConsumerId == id))
                {
                    consumers.Add(new StreamConsumer(id, subscription.Subscriber, null, IsImplicit: false));
                }
            }
        }

        foreach (var subscription in live)
        {
            if (subscription.Owner is { } owner)
            {
                var id = owner.GrainId.ToString();
                if (!consumers.Exists(c => c.ConsumerId == id))
                {
                    consumers.Add(new StreamConsumer(id, owner.GrainId, null, IsImplicit: false));
                }
            }
            else
            {
                consumers.Add(new StreamConsumer(IdOf(subscription), null, subscription, IsImplicit: false));
            }
        }

        return consumers;
    }
}
