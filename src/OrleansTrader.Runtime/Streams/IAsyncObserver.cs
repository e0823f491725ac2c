namespace OrleansTrader.Runtime;

/// <summary>Consumes a stream. For a grain subscriber, calls run as turns of the subscribing activation.</summary>
public interface IAsyncObserver<in T>
{
    Task OnNextAsync(T item, StreamSequenceToken? token = null);

    Task OnCompletedAsync();

    Task OnErrorAsync(Exception ex);
}
