namespace OrleansTrader.Runtime.Tests.Grains;

public interface ICounterBGrain : ICounterOperations, IGrainWithStringKey
{
}
