namespace OrleansTrader.Runtime;

/// <summary>
/// An explicit subscription of a grain to a stream of a durable provider, kept in the provider's log so that it outlives
/// the subscribing activation and the silo: an event on the stream activates <see cref="Subscriber"/>, which re-attaches
/// its observer with GetAllSubscriptionHandles() and ResumeAsync(observer) in OnActivateAsync.
/// </summary>
public sealed record StoredStreamSubscription(StreamId StreamId, Guid SubscriptionId, GrainId Subscriber);
