namespace OrleansTrader.Runtime.Tests.Grains;

public interface ISingleWorkGrain : IWorkGrain
{
}
