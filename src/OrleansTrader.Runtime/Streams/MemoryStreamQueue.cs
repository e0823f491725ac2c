namespace OrleansTrader.Runtime;

/// <summary>
/// The bounded queue of one memory stream and its delivery loop, which runs only while events wait. The loop takes what
/// is waiting (up to <see cref="MemoryStreamOptions.MaxDeliveryBatch"/>) and hands it to every subscriber grain at once,
/// one turn per grain (<see cref="MemoryStreamBatchDeliveryRequest"/>), and to client subscriptions event by event; it
/// takes the next batch only when every consumer finished this one, so each consumer sees the stream in order.
/// </summary>
internal sealed class MemoryStreamQueue(MemoryStreamProvider provider, StreamId streamId, int capacity, int maxBatch)
{
    private readonly Queue<object> _items = new();
    private readonly Lock _lock = new();
    private List<(int Below, TaskCompletionSource Done)>? _waiters;
    private bool _pumping;

    // The consumers the last delivery resolved and the handle ids of the live subscriptions they came from (not the
    // registry's array: kept here, it held deactivated subscribers' activations; see StreamConsumer.HandlesOf). Implicit
    // subscribers are fixed at startup, so the same subscriptions mean the same consumers: resolving them per batch was a
    // list and an id string per consumer on every publish. Only the delivery loop (one at a time) touches these.
    private Guid[]? _resolvedFrom;
    private StreamConsumer[] _consumers = [];

    /// <summary>The subscriptions the last resolved consumers hold on to, the clients' (diagnostics and tests; read outside the delivery loop).</summary>
    public IEnumerable<IActivationStreamSubscription> HeldSubscriptions =>
        _consumers.Select(c => c.ClientSubscription).OfType<IActivationStreamSubscription>();

    /// <summary>Events waiting (not yet taken by the delivery loop).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _items.Count;
            }
        }
    }

    /// <summary>Completes once fewer than <paramref name="below"/> events wait; fails when the provider stops delivering first.</summary>
    public Task WhenBelowAsync(int below)
    {
        lock (_lock)
        {
            // Checked first: once delivery stops the queue stays empty, and a producer let through would only feed the drop count.
            if (provider.IsDeliveryStopped)
            {
                return Task.FromException(Stopped());
            }

            if (_items.Count < below)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            (_waiters ??= []).Add((below, done));
            return done.Task;
        }
    }

    /// <summary>Fails every waiter: the provider stopped and the queue will not drain.</summary>
    public void ReleaseWaiters()
    {
        List<(int Below, TaskCompletionSource Done)>? waiters;
        lock (_lock)
        {
            waiters = _waiters;
            _waiters = null;
        }

        foreach (var (_, done) in waiters ?? [])
        {
            done.TrySetException(Stopped());
        }
    }

    /// <summary>Empties the queue once delivery has stopped; returns how many events it dropped.</summary>
    public int DropWaiting()
    {
        lock (_lock)
        {
            var dropped = _items.Count;
            _items.Clear();
            return dropped;
        }
    }

    /// <summary>
    /// Queues the events in order while there is room; returns how many did not fit (dropped): all of them once delivery
    /// has stopped (<paramref name="deliveryStopped"/>).
    /// </summary>
    public int Enqueue<T>(IEnumerable<T> items, out bool deliveryStopped)
    {
        var dropped = 0;
        var start = false;
        lock (_lock)
        {
            // Read under the lock: either these events are queued before DropWaiting empties the queue, or they see the flag.
            deliveryStopped = provider.IsDeliveryStopped;
            foreach (var item in items)
            {
                if (deliveryStopped || _items.Count >= capacity)
                {
                    dropped++;
                    continue;
                }

                _items.Enqueue(item!);
            }

            if (!_pumping && _items.Count > 0)
            {
                _pumping = true;
                start = true;
            }
        }

        if (start)
        {
            BackgroundWork.Post(static queue => queue.PumpAsync(), this);
        }

        return dropped;
    }

    private async Task PumpAsync()
    {
        while (true)
        {
            object[] batch;
            lock (_lock)
            {
                if (provider.IsDeliveryStopped || _items.Count == 0)
                {
                    _pumping = false;
                    return;
                }

                batch = new object[Math.Min(_items.Count, maxBatch)];
                for (var i = 0; i < batch.Length; i++)
                {
                    batch[i] = _items.Dequeue();
                }

                if (_waiters is not null)
                {
                    WakeWaiters();
                }
            }

            await DeliverAsync(batch);
        }
    }

    /// <summary>Completes the waiters whose bound the queue is now below (their continuations run asynchronously, not under the lock).</summary>
    private void WakeWaiters()
    {
        for (var i = _waiters!.Count - 1; i >= 0; i--)
        {
            if (_items.Count < _waiters[i].Below)
            {
                _waiters[i].Done.TrySetResult();
                _waiters.RemoveAt(i);
            }
        }
    }

    private InvalidOperationException Stopped() => new($"Stream provider '{provider.Name}' is stopped; stream {streamId} will not drain.");

    private async Task DeliverAsync(object[] batch)
    {
        var consumers = Consumers();
        List<Task>? grains = null;
        foreach (var consumer in consumers)
        {
            if (consumer.Grain is { } grainId)
            {
                (grains ??= new List<Task>(consumers.Length)).Add(DeliverToGrainAsync(grainId, consumer.ConsumerId, batch));
            }
        }

        foreach (var consumer in consumers)
        {
            if (consumer.ClientSubscription is { } client)
            {
                await DeliverToClientAsync(client, consumer.ConsumerId, batch);
            }
        }

        if (grains is not null)
        {
            await Task.WhenAll(grains);
        }
    }

    private StreamConsumer[] Consumers()
    {
        var live = provider.Subscriptions.Get(streamId);
        if (_resolvedFrom is null || !StreamConsumer.SameHandles(_resolvedFrom, live))
        {
            _consumers = [.. StreamConsumer.Resolve(provider.Runtime, live, streamId)];
            _resolvedFrom = StreamConsumer.HandlesOf(live);
        }

        return _consumers;
    }

    private async Task DeliverToGrainAsync(GrainId grainId, string consumerId, object[] batch)
    {
        var runtime = provider.Runtime;
        var offset = 0;
        while (offset < batch.Length)
        {
            var request = new MemoryStreamBatchDeliveryRequest(provider, streamId, batch, offset, consumerId);
            try
            {
                runtime.SendFromRuntime(grainId, request);
                await request.AsValueTask();
                return;
            }
            catch (InconsistentStateException ex)
            {
                // The activation deactivates after the conflict; the event that hit it is skipped (logged) like any failed
                // delivery, and the rest of the batch goes to the next activation.
                runtime.LogStreamDeliveryFailed(ex, streamId, 0, consumerId, 1);
                offset = request.Processed + 1;
            }
            catch (Exception ex)
            {
                runtime.LogStreamDeliveryFailed(ex, streamId, 0, consumerId, 1);
                return;
            }
        }
    }

    private async Task DeliverToClientAsync(IActivationStreamSubscription subscription, string consumerId, object[] batch)
    {
        foreach (var item in batch)
        {
            try
            {
                await subscription.DeliverAsync(item, null);
            }
            catch (Exception ex)
            {
                provider.Runtime.LogStreamDeliveryFailed(ex, streamId, 0, consumerId, 1);
            }
        }
    }
}
