namespace OrleansTrader.Runtime;

/// <summary>One stream of one provider: produce with OnNextAsync, consume with SubscribeAsync.</summary>
public interface IAsyncStream<T>
{
    StreamId StreamId { get; }

    string ProviderName { get; }

    bool IsRewindable { get; }

    /// <summary>
    /// Publishes one event. On "durable" the task completes once the event is appended to the log; on "memory" once it
    /// is queued (or counted as dropped when the stream's queue is full).
    /// </summary>
    Task OnNextAsync(T item, StreamSequenceToken? token = null);

    /// <summary>Publishes events in order; on "durable" they are appended atomically.</summary>
    Task OnNextBatchAsync(IEnumerable<T> batch, StreamSequenceToken? token = null);

    Task<StreamSubscriptionHandle<T>> SubscribeAsync(IAsyncObserver<T> observer);

    /// <summary>Subscribes; on a rewindable provider a token replays from that event (inclusive).</summary>
    Task<StreamSubscriptionHandle<T>> SubscribeAsync(IAsyncObserver<T> observer, StreamSequenceToken? token);

    /// <summary>The caller's subscriptions to this stream (the calling activation's, or the client's).</summary>
    Task<IList<StreamSubscriptionHandle<T>>> GetAllSubscriptionHandles();
}
