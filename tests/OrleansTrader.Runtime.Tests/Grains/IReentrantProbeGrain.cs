namespace OrleansTrader.Runtime.Tests.Grains;

public interface IReentrantProbeGrain : IProbeOperations
{
}
