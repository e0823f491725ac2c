namespace OrleansTrader.Runtime;

internal sealed class DelegateAsyncObserver<T>(Func<T, StreamSequenceToken?, Task> onNextAsync) : IAsyncObserver<T>
{
    private readonly Func<T, StreamSequenceToken?, Task> _onNextAsync = onNextAsync ?? throw new ArgumentNullException(nameof(onNextAsync));

    public Task OnNextAsync(T item, StreamSequenceToken? token = null) => _onNextAsync(item, token);

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;
}
