namespace OrleansTrader.Runtime;

/// <summary>Something with a grain identity: a grain instance or a reference (proxy) to one.</summary>
public interface IAddressable
{
}
