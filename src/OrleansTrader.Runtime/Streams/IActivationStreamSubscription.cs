namespace OrleansTrader.Runtime;

/// <summary>
/// A live subscription: a grain activation's (the binding ends with it) or the client's (Owner null). A stored one
/// (explicit grain subscription on a durable provider) stays in the provider's store after its activation is gone.
/// </summary>
internal interface IActivationStreamSubscription
{
    StreamId StreamId { get; }

    string ProviderName { get; }

    Guid HandleId { get; }

    ActivationData? Owner { get; }

    /// <summary>True when the provider stores the subscription, so it outlives the activation.</summary>
    bool IsStored { get; }

    /// <summary>Delivers an in-memory event (memory provider).</summary>
    Task DeliverAsync(object item, StreamSequenceToken? token);

    /// <summary>
    /// Delivers a stored event (durable provider): <paramref name="published"/>, the object published on this silo when
    /// its type is immutable and of the subscription's type, else the payload deserialized to the subscription's type.
    /// </summary>
    Task DeliverPayloadAsync(ReadOnlyMemory<byte> payload, object? published, StreamSequenceToken token);

    /// <summary>The owner deactivated: an in-memory subscription leaves its provider; a stored one stays stored.</summary>
    void Detach();
}
