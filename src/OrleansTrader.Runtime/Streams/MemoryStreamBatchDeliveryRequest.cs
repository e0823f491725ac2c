namespace OrleansTrader.Runtime;

/// <summary>
/// Delivers consecutive events of one memory stream to the target activation in a single turn: in order, each event to
/// every subscription the activation holds on that stream, exactly as a run of single deliveries would. A subscriber that
/// throws is logged and skipped for that event only, except for an ETag conflict (<see cref="InconsistentStateException"/>):
/// that ends the batch and faults the turn, so the activation deactivates as after any conflicting turn, and
/// <see cref="Processed"/> tells the sender where to continue (with the next activation). A subscription added or removed
/// during the batch (a handler that unsubscribes, say) takes effect from the next event. Subscribers that complete
/// synchronously cost no allocation.
/// </summary>
internal sealed class MemoryStreamBatchDeliveryRequest(MemoryStreamProvider provider, StreamId streamId, object[] items, int offset, string consumerId)
    : GrainVoidRequest
{
    private int _processed;

    public override string InterfaceName => "stream";

    public override string MethodName => "OnNextMemoryBatch";

    public override int MethodId => 4;

    /// <summary>The index in the sender's array of the first event this batch did not finish (all of them when it completed).</summary>
    public int Processed => Volatile.Read(ref _processed);

    protected override ValueTask InvokeCore(object grain)
    {
        var activation = CallContext.Current?.Activation
            ?? throw new InvalidOperationException("Stream events are delivered inside a grain turn.");
        var registry = provider.Subscriptions;
        var version = registry.Version;
        var subscriptions = Collect(activation);
        if (subscriptions.Length == 0)
        {
            throw new InvalidOperationException(
                $"{activation.GrainId} received an event of stream {streamId} ({provider.Name}) but holds no subscription to it; subscribe in OnActivateAsync.");
        }

        for (var i = offset; i < items.Length; i++)
        {
            if (registry.Version != version)
            {
                version = registry.Version;
                subscriptions = Collect(activation);
            }

            var item = items[i];
            for (var s = 0; s < subscriptions.Length; s++)
            {
                var task = Start(subscriptions[s], item);
                if (!task.IsCompleted)
                {
                    return new ValueTask(ContinueAsync(activation, task, i, s, subscriptions, version));
                }

                if (!task.IsCompletedSuccessfully)
                {
                    Report(task, i);
                }
            }
        }

        Volatile.Write(ref _processed, items.Length);
        return default;
    }

    private static Task Start(IActivationStreamSubscription subscription, object item)
    {
        try
        {
            return subscription.DeliverAsync(item, null);
        }
        catch (Exception ex)
        {
            return Task.FromException(ex);
        }
    }

    /// <summary>The slow path, once a subscriber really awaited: the rest of the batch, one awaited delivery at a time.</summary>
    private async Task ContinueAsync(
        ActivationData activation, Task pending, int itemIndex, int subscriptionIndex, IActivationStreamSubscription[] subscriptions, int version)
    {
        await Observe(pending, itemIndex);
        var registry = provider.Subscriptions;
        var s = subscriptionIndex + 1;
        for (var i = itemIndex; i < items.Length; i++)
        {
            if (i != itemIndex && registry.Version != version)
            {
                version = registry.Version;
                subscriptions = Collect(activation);
            }

            for (; s < subscriptions.Length; s++)
            {
                await Observe(Start(subscriptions[s], items[i]), i);
            }

            s = 0;
        }

        Volatile.Write(ref _processed, items.Length);
    }

    private async Task Observe(Task delivery, int index)
    {
        try
        {
            await delivery;
        }
        catch (Exception ex)
        {
            Fail(ex, index);
        }
    }

    private void Report(Task failed, int index) => Fail(failed.Exception?.GetBaseException() ?? new TaskCanceledException(failed), index);

    /// <summary>Logs and skips a failed delivery; a storage conflict instead ends the batch at this event and faults the turn.</summary>
    private void Fail(Exception exception, int index)
    {
        if (exception is InconsistentStateException)
        {
            Volatile.Write(ref _processed, index);
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(exception);
        }

        provider.Runtime.LogStreamDeliveryFailed(exception, streamId, 0, consumerId, 1);
    }

    /// <summary>The activation's subscriptions to this stream, in subscription order.</summary>
    private IActivationStreamSubscription[] Collect(ActivationData activation)
    {
        var all = provider.Subscriptions.Get(streamId);
        var count = 0;
        foreach (var subscription in all)
        {
            if (ReferenceEquals(subscription.Owner, activation))
            {
                count++;
            }
        }

        if (count == all.Length)
        {
            return all;
        }

        var mine = new IActivationStreamSubscription[count];
        count = 0;
        foreach (var subscription in all)
        {
            if (ReferenceEquals(subscription.Owner, activation))
            {
                mine[count++] = subscription;
            }
        }

        return mine;
    }
}
