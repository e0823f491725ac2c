namespace OrleansTrader.Runtime.AdoNet;

/// <summary>
/// Runs an initialization once and lets every caller await the same task; a failed or canceled attempt is
/// forgotten so the next caller tries again instead of seeing the old failure forever.
/// </summary>
internal sealed class AsyncOnce(Func<CancellationToken, Task> initialize)
{
    private readonly Lock _lock = new();
    private Task? _task;

    public Task EnsureAsync()
    {
        var task = Volatile.Read(ref _task);
        if (task is { IsCompletedSuccessfully: true })
        {
            return task;
        }

        lock (_lock)
        {
            if (_task is null || _task.IsFaulted || _task.IsCanceled)
            {
                // Not the caller's token: one caller giving up must not cancel the shared initialization.
                _task = initialize(CancellationToken.None);
            }

            return _task;
        }
    }
}
