namespace OrleansTrader.Runtime.Tests.Grains;

public interface IProbeGrain : IProbeOperations
{
}
