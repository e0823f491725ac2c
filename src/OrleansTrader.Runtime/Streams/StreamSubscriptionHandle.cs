namespace OrleansTrader.Runtime;

/// <summary>A subscription to a stream.</summary>
public abstract class StreamSubscriptionHandle<T>
{
    public abstract StreamId StreamId { get; }

    public abstract string ProviderName { get; }

    public abstract Guid HandleId { get; }

    public abstract Task UnsubscribeAsync();

    /// <summary>Replaces the observer; with a token on a rewindable provider, replays from that event.</summary>
    public abstract Task<StreamSubscriptionHandle<T>> ResumeAsync(IAsyncObserver<T> observer, StreamSequenceToken? token = null);
}
