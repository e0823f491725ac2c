namespace OrleansTrader.Runtime;

/// <summary>What subscriptions need from their provider.</summary>
internal interface IStreamProviderInternal
{
    string Name { get; }

    StreamSubscriptionRegistry Subscriptions { get; }

    IGrainStateSerializer Serializer { get; }

    Task RewindAsync(IActivationStreamSubscription subscription, StreamSequenceToken token);
}
