namespace OrleansTrader.Runtime;

/// <summary>A call context created by RequestContext.Set or by the runtime for activation, deactivation and client code.</summary>
internal sealed class DetachedCallContext(ActivationData? activation, CallChain? chain, IReadOnlyDictionary<string, object>? values) : CallContext
{
    internal override ActivationData? Activation { get; } = activation;

    internal override CallChain? Chain { get; } = chain;

    internal override IReadOnlyDictionary<string, object>? Values { get; } = values;
}
