namespace OrleansTrader.Runtime;

/// <summary>A live subscription: a grain activation's (ends with it) or the client's (Owner null).</summary>
internal interface IActivationStreamSubscription
{
    StreamId StreamId { get; }

    string ProviderName { get; }

    Guid HandleId { get; }

    ActivationData? Owner { get; }

    /// <summary>Delivers an in-memory event (memory provider).</summary>
    Task DeliverAsync(object item, StreamSequenceToken? token);

    /// <summary>Delivers a stored event (durable provider); the subscription deserializes it to its own type.</summary>
    Task DeliverPayloadAsync(ReadOnlyMemory<byte> payload, StreamSequenceToken token);

    /// <summary>Removes the subscription from its provider (the owner deactivated).</summary>
    void Detach();
}
