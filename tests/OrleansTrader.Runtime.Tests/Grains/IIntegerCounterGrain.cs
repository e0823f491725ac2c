namespace OrleansTrader.Runtime.Tests.Grains;

public interface IIntegerCounterGrain : ICounterOperations, IGrainWithIntegerKey
{
    Task<long> GetKey();
}
