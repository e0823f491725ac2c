namespace OrleansTrader.Grains.Hosting;

/// <summary>
/// Done once <see cref="KeepAliveResumer"/> has resumed the running strategies at silo start (or given up on them). A
/// replay waits for it: started beside the resume, one at <c>Feed:Speed</c> 0 was over before the strategies had
/// subscribed to its bars, and they saw none of it.
/// </summary>
internal sealed class StrategyResumption
{
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Done => _done.Task;

    public void Complete() => _done.TrySetResult();
}
