namespace OrleansTrader.Runtime.Tests.Grains;

public interface ICounterAGrain : ICounterOperations, IGrainWithStringKey
{
}
