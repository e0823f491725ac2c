using System.Reflection;

namespace OrleansTrader.Runtime;

/// <summary>The generated proxy factory of one grain interface, found once through the generator's assembly attribute.</summary>
internal static class ProxyFactoryCache<TGrainInterface>
{
    public static readonly IGrainProxyFactory? Factory = Find();

    private static IGrainProxyFactory? Find()
    {
        var attribute = typeof(TGrainInterface).Assembly.GetCustomAttributes<GrainProxyAttribute>()
            .FirstOrDefault(a => a.InterfaceType == typeof(TGrainInterface));
        return attribute is null ? null : (IGrainProxyFactory?)Activator.CreateInstance(attribute.ProxyFactoryType);
    }

    public static TGrainInterface Create(GrainReferenceShared shared, GrainId grainId)
    {
        var factory = Factory ?? throw new InvalidOperationException(
            $"No generated proxy for {typeof(TGrainInterface)}. The project declaring it must reference OrleansTrader.Runtime.CodeGenerator as an analyzer (see docs/runtime.md).");
        return (TGrainInterface)factory.CreateProxy(shared, grainId);
    }
}
