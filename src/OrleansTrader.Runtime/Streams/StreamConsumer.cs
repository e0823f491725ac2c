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

    /// <summary>
    /// The handle ids of a registry array, by which a cache of resolved consumers tells whether the array changed. Ids, not
    /// the array: held by a cache, the array kept the subscriptions of deactivated grains, with their activations and grain
    /// instances, until the stream's next event (which for an idle account may never come). Each id is unique to its
    /// subscription and the registry's copy-on-write arrays keep their order, so the same ids mean the same subscriptions.
    /// </summary>
    public static Guid[] HandlesOf(IActivationStreamSubscription[] live)
    {
        var handles = live.Length == 0 ? [] : new Guid[live.Length];
        for (var i = 0; i < live.Length; i++)
        {
            handles[i] = live[i].HandleId;
        }

        return handles;
    }

    /// <summary>Whether <paramref name="live"/> holds exactly the subscriptions <paramref name="handles"/> came from (<see cref="HandlesOf"/>).</summary>
    public static bool SameHandles(Guid[] handles, IActivationStreamSubscription[] live)
    {
        if (handles.Length != live.Length)
        {
            return false;
        }

        for (var i = 0; i < live.Length; i++)
        {
            if (live[i].HandleId != handles[i])
            {
                return false;
            }
        }

        return true;
    }

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
