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
}
