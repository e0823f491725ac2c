namespace OrleansTrader.Runtime;

/// <summary>Marker for grain interfaces. The code generator emits a proxy for every interface deriving from it.</summary>
public interface IGrain : IAddressable
{
}
