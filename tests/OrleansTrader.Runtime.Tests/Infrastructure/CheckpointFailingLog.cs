namespace OrleansTrader.Runtime.Tests.Infrastructure;

/// <summary>
/// A memory log whose next checkpoint save of progress, once armed, signals that it started, waits until the test releases it,
/// and then fails: the test can act while a cursor is between delivering and recording its progress. A rewind's reset can
/// be made to fail once, or to wait for the test once.
/// </summary>
internal sealed class CheckpointFailingLog(MemoryDurableStreamLog inner) : DelegatingDurableStreamLog(inner)
{
    private TaskCompletionSource? _entered;
    private TaskCompletionSource? _release;
    private int _failNextReset;
    private TaskCompletionSource? _resetEntered;
    private TaskCompletionSource? _resetRelease;

    public void Arm(out Task entered, out TaskCompletionSource release)
    {
        _entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        entered = _entered.Task;
        release = _release;
    }

    public override async Task SaveCheckpointAsync(StreamId streamId, string consumerId, long sequence, CancellationToken cancellationToken = default)
    {
        // Progress only: a reader stores a consumer's first checkpoint, 0, when it starts (so retention keeps its events).
        if (sequence > 0 && Interlocked.Exchange(ref _entered, null) is { } entered)
        {
            entered.SetResult();
            await _release!.Task.WaitAsync(cancellationToken);
            throw new IOException("checkpoint store unavailable");
        }

        await base.SaveCheckpointAsync(streamId, consumerId, sequence, cancellationToken);
    }

    /// <summary>The next checkpoint reset (a rewind) fails.</summary>
    public void FailNextReset() => Volatile.Write(ref _failNextReset, 1);

    /// <summary>The next checkpoint reset signals that it started and waits until the test releases it (then succeeds).</summary>
    public void HoldNextReset(out Task entered, out TaskCompletionSource release)
    {
        _resetEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _resetRelease = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        entered = _resetEntered.Task;
        release = _resetRelease;
    }

    public override async Task ResetCheckpointAsync(StreamId streamId, string consumerId, long sequence, CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _failNextReset, 0) == 1)
        {
            throw new IOException("checkpoint store unavailable");
        }

        if (Interlocked.Exchange(ref _resetEntered, null) is { } entered)
        {
            entered.SetResult();
            await _resetRelease!.Task.WaitAsync(cancellationToken);
        }

        await base.ResetCheckpointAsync(streamId, consumerId, sequence, cancellationToken);
    }
}
