namespace OrleansTrader.Runtime;

/// <summary>Subscriptions of a durable provider: explicit grain subscriptions stored in the log, the others in memory.</summary>
public sealed partial class DurableStreamProvider
{
    private readonly StoredSubscriptionTable _stored = new();

    bool IStreamProviderInternal.StoresSubscription(ActivationData? owner, StreamId streamId) =>
        owner is not null && !owner.Class.ImplicitStreamNamespaces.Contains(streamId.Namespace, StringComparer.Ordinal);

    async Task IStreamProviderInternal.AddSubscriptionAsync(IActivationStreamSubscription subscription, bool rewinding)
    {
        if (!subscription.IsStored)
        {
            Subscriptions.Add(subscription);
            if (subscription.Owner is not null)
            {
                // An implicit subscriber's own subscription: its consumer is the same, and appends and the scan wake it.
                return;
            }
        }
        else
        {
            var stored = new StoredStreamSubscription(subscription.StreamId, subscription.HandleId, subscription.Owner!.GrainId);
            // Like appends, not cut by a graceful stop: a grain may subscribe or unsubscribe in its last turns or OnDeactivateAsync.
            await Log.AddSubscriptionAsync(stored, CancellationToken.None);
            _stored.Add(stored);
        }

        // A new consumer starts from its checkpoint (0 for a new one), so the stream's retained events are its to receive
        // now: left to the next append, they waited for a publish that might never come (the scan does not go back over a
        // namespace it has passed, and does not scan a client's streams at all). A rewind that follows starts the reader
        // itself, with the rewind applied first: started here, it could deliver events from before the token.
        if (!rewinding)
        {
            Notify(subscription.StreamId, 0);
        }
    }

    async Task IStreamProviderInternal.RemoveSubscriptionAsync(IActivationStreamSubscription subscription)
    {
        // Progress delivered under the subscription is stored before it goes: unsubscribing is a graceful end. A failed
        // flush does not keep the subscription (its progress is redelivered at worst, and the next flush retries it).
        try
        {
            await Checkpoints.FlushAsync(_stopping.Token);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Stopping: a graceful stop flushes after the cursors end.
        }
        catch (Exception ex) when (DroppedConnection(ex))
        {
            _runtime.LogStreamCheckpointConnectionDropped(subscription.StreamId.ToString(), Name, ex.Message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _runtime.LogStreamAgentFailed(ex, subscription.StreamId.ToString(), Name);
        }
        if (!subscription.IsStored)
        {
            Subscriptions.Remove(subscription);
            if (subscription.Owner is not null)
            {
                // An implicit subscriber's own subscription: the grain stays a consumer of the stream.
                return;
            }
        }
        else
        {
            await Log.RemoveSubscriptionAsync(subscription.StreamId, subscription.HandleId, CancellationToken.None);
            _stored.Remove(subscription.StreamId, subscription.HandleId);
        }

        // A consumer left without any subscription (a client handle, never reused, or a grain whose last stored
        // subscription went) loses its checkpoint, or it would hold the stream's retention back forever; a grain that
        // subscribes again starts as a new subscriber. A cursor still running for it removes it when it retires.
        var consumerId = StreamConsumer.IdOf(subscription);
        var consumer = new StreamConsumer(consumerId, subscription.Owner?.GrainId, subscription, IsImplicit: false);
        bool gone;
        lock (_lock)
        {
            gone = !_cursors.ContainsKey((subscription.StreamId, consumerId)) && !IsSubscribed(subscription.StreamId, consumer);
            if (gone)
            {
                _rewinds.Remove((subscription.StreamId, consumerId));
            }
        }

        if (gone)
        {
            await ForgetConsumerAsync(subscription.StreamId, consumerId);
        }
    }

    /// <summary>Removes the checkpoint of a consumer left without subscription (here and in the log); a failure is logged, not thrown.</summary>
    internal async Task ForgetConsumerAsync(StreamId streamId, string consumerId)
    {
        try
        {
            await Checkpoints.RemoveAsync(streamId, consumerId, CancellationToken.None);
        }
        catch (Exception ex)
        {
            _runtime.LogStreamAgentFailed(ex, streamId.ToString(), Name);
        }
    }

    IReadOnlyList<Guid> IStreamProviderInternal.GetStoredSubscriptionIds(StreamId streamId, GrainId subscriber) =>
        [.. _stored.Get(streamId).Where(s => s.Subscriber == subscriber).Select(s => s.SubscriptionId)];

    /// <summary>Whether an explicit consumer still has a subscription: a stored one, or one held in memory.</summary>
    internal bool IsSubscribed(StreamId streamId, StreamConsumer consumer)
    {
        if (consumer.Grain is { } grainId && _stored.Contains(streamId, grainId))
        {
            return true;
        }

        foreach (var subscription in Subscriptions.Get(streamId))
        {
            if (consumer.Grain is { } id ? subscription.Owner?.GrainId == id : ReferenceEquals(subscription, consumer.ClientSubscription))
            {
                return true;
            }
        }

        return false;
    }
}
