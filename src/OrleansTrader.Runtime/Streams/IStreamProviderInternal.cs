namespace OrleansTrader.Runtime;

/// <summary>What subscriptions need from their provider.</summary>
internal interface IStreamProviderInternal
{
    string Name { get; }

    GrainRuntime Runtime { get; }

    StreamSubscriptionRegistry Subscriptions { get; }

    IGrainStateSerializer Serializer { get; }

    Task RewindAsync(IActivationStreamSubscription subscription, StreamSequenceToken token);

    /// <summary>
    /// True when a subscription by <paramref name="owner"/> to the stream is stored by the provider (it outlives the
    /// activation and the silo) rather than held in memory for as long as the activation or the client lives.
    /// </summary>
    bool StoresSubscription(ActivationData? owner, StreamId streamId);

    /// <summary>
    /// Registers a new subscription: stored first when <see cref="IActivationStreamSubscription.IsStored"/>.
    /// <paramref name="rewinding"/>: a rewind to the subscriber's token follows (<see cref="RewindAsync"/>), and delivery
    /// starts from there rather than from the consumer's checkpoint.
    /// </summary>
    Task AddSubscriptionAsync(IActivationStreamSubscription subscription, bool rewinding);

    /// <summary>Ends a subscription for good (UnsubscribeAsync); a stored one is deleted from the store.</summary>
    Task RemoveSubscriptionAsync(IActivationStreamSubscription subscription);

    /// <summary>The ids of the stored subscriptions of <paramref name="subscriber"/> to the stream.</summary>
    IReadOnlyList<Guid> GetStoredSubscriptionIds(StreamId streamId, GrainId subscriber);
}
