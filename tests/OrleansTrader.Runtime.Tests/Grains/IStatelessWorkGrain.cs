namespace OrleansTrader.Runtime.Tests.Grains;

public interface IStatelessWorkGrain : IWorkGrain
{
}
