namespace OrleansTrader.Runtime;

/// <summary>
/// The envelope of one call: target, request (interface, method id, arguments), RequestContext snapshot, call chain
/// and deadline. Inside one silo it is passed by reference (arguments are immutable records, never copied).
/// </summary>
public sealed class Message : CallContext
{
    internal Message(GrainId targetId, GrainRequest request, CallChain? callChain, IReadOnlyDictionary<string, object>? requestContext, long deadline)
    {
        TargetId = targetId;
        Request = request;
        CallChain = callChain;
        RequestContextData = requestContext;
        Deadline = deadline;
    }

    public GrainId TargetId { get; }

    public GrainRequest Request { get; }

    public string InterfaceName => Request.InterfaceName;

    public int MethodId => Request.MethodId;

    /// <summary>The callers waiting on this message, most recent first; null for calls from outside any grain.</summary>
    public CallChain? CallChain { get; }

    /// <summary>The RequestContext values at the time of the call (an immutable snapshot).</summary>
    public IReadOnlyDictionary<string, object>? RequestContextData { get; }

    /// <summary>When the caller gives up, in <see cref="SiloClock"/> milliseconds; long.MaxValue for one-way calls.</summary>
    public long Deadline { get; }

    internal override ActivationData? Activation => CurrentActivation;

    internal ActivationData? CurrentActivation { get; set; }

    internal override CallChain? Chain => CallChain;

    internal override IReadOnlyDictionary<string, object>? Values => RequestContextData;
}
