namespace OrleansTrader.Runtime;

/// <summary>Starts runtime background loops without the caller's execution context (so no grain's call context leaks in).</summary>
internal static class BackgroundWork
{
    public static Task Start(Func<Task> work)
    {
        using (ExecutionContext.SuppressFlow())
        {
            return Task.Run(work);
        }
    }

    /// <summary>
    /// Starts <paramref name="work"/> on the thread pool, as <see cref="Start"/> does, for a caller that does not keep the
    /// task: without the caller's execution context, and without the copy of it, the delegate and the two tasks that
    /// <see cref="Start"/> costs (this runs per published batch). Pass a static lambda.
    /// </summary>
    public static void Post<TState>(Func<TState, Task> work, TState state)
    {
        ThreadPool.UnsafeQueueUserWorkItem(static s => _ = s.Work(s.State), (Work: work, State: state), preferLocal: false);
    }
}
