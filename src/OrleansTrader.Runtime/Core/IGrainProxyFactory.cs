namespace OrleansTrader.Runtime;

/// <summary>Implemented by generated code: creates the proxy of one grain interface.</summary>
public interface IGrainProxyFactory
{
    object CreateProxy(GrainReferenceShared shared, GrainId grainId);
}
