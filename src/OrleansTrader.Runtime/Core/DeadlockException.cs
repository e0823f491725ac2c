namespace OrleansTrader.Runtime;

/// <summary>A call would wait on itself through a chain of non-reentrant grains (A -> B -> A); it fails at once.</summary>
public sealed class DeadlockException : Exception
{
    public DeadlockException()
    {
    }

    public DeadlockException(string message) : base(message)
    {
    }

    public DeadlockException(string message, Exception innerException) : base(message, innerException)
    {
    }

    internal DeadlockException(IReadOnlyList<GrainId> callChain)
        : base($"Deadlock: the call chain {string.Join(" -> ", callChain)} would wait on itself.")
    {
        CallChain = callChain;
    }

    /// <summary>The grains of the cycle, first caller first, ending with the grain called again.</summary>
    public IReadOnlyList<GrainId> CallChain { get; } = [];
}
