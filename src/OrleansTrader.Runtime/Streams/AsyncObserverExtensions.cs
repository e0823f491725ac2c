namespace OrleansTrader.Runtime;

/// <summary>Delegate overloads of SubscribeAsync and ResumeAsync, as in Orleans.</summary>
public static class AsyncObserverExtensions
{
    public static Task<StreamSubscriptionHandle<T>> SubscribeAsync<T>(
        this IAsyncStream<T> stream, Func<T, StreamSequenceToken?, Task> onNextAsync, StreamSequenceToken? token = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return stream.SubscribeAsync(new DelegateAsyncObserver<T>(onNextAsync), token);
    }

    public static Task<StreamSubscriptionHandle<T>> ResumeAsync<T>(
        this StreamSubscriptionHandle<T> handle, Func<T, StreamSequenceToken?, Task> onNextAsync, StreamSequenceToken? token = null)
    {
        ArgumentNullException.ThrowIfNull(handle);
        return handle.ResumeAsync(new DelegateAsyncObserver<T>(onNextAsync), token);
    }
}
