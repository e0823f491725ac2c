namespace OrleansTrader.Runtime;

/// <summary>The bounded queue of one memory stream and its delivery loop, which runs only while events wait.</summary>
internal sealed class MemoryStreamQueue(MemoryStreamProvider provider, StreamId streamId, int capacity)
{
    private readonly Queue<object> _items = new();
    private readonly Lock _lock = new();
    private bool _pumping;

    public bool TryEnqueue(object item)
    {
        lock (_lock)
        {
            if (_items.Count >= capacity)
            {
                return false;
            }

            _items.Enqueue(item);
            if (_pumping)
            {
                return true;
            }

            _pumping = true;
        }

        _ = BackgroundWork.Start(PumpAsync);
        return true;
    }

    private async Task PumpAsync()
    {
        while (true)
        {
            object item;
            lock (_lock)
            {
                if (provider.IsStopped || !_items.TryDequeue(out item!))
                {
                    _pumping = false;
                    return;
                }
            }

            await DeliverAsync(item);
        }
    }

    private async Task DeliverAsync(object item)
    {
        var runtime = provider.Runtime;
        var consumers = StreamConsumer.Resolve(runtime, provider.Subscriptions, streamId);
        foreach (var consumer in consumers)
        {
            try
            {
                if (consumer.Grain is { } grainId)
                {
                    var request = new StreamDeliveryRequest(provider.Name, streamId, item, default, null);
                    runtime.SendFromRuntime(grainId, request);
                    await request.AsValueTask();
                }
                else
                {
                    await consumer.ClientSubscription!.DeliverAsync(item, null);
                }
            }
            catch (Exception ex)
            {
                runtime.LogStreamDeliveryFailed(ex, streamId, 0, consumer.ConsumerId, 1);
            }
        }
    }
}
