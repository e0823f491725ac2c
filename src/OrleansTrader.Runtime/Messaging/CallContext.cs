namespace OrleansTrader.Runtime;

/// <summary>
/// What flows with the logical call: the activation running it, the chain of callers, and RequestContext values.
/// One AsyncLocal holds it; a running message is its own call context, so a turn costs no extra allocation.
/// </summary>
public abstract class CallContext
{
    private static readonly AsyncLocal<CallContext?> CurrentContext = new();

    private protected CallContext()
    {
    }

    internal static CallContext? Current
    {
        get => CurrentContext.Value;
        set => CurrentContext.Value = value;
    }

    internal abstract ActivationData? Activation { get; }

    internal abstract CallChain? Chain { get; }

    internal abstract IReadOnlyDictionary<string, object>? Values { get; }

    /// <summary>The chain to put on a call made from this context.</summary>
    internal CallChain? OutgoingChain => Activation is { } activation ? new CallChain(activation.GrainId, Chain) : Chain;
}
