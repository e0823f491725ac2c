namespace OrleansTrader.Runtime;

/// <summary>Emitted by the code generator: maps a grain interface to its generated proxy factory. Not for hand-written code.</summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class GrainProxyAttribute(Type interfaceType, Type proxyFactoryType) : Attribute
{
    public Type InterfaceType { get; } = interfaceType;

    public Type ProxyFactoryType { get; } = proxyFactoryType;
}
