namespace OrleansTrader.Runtime.Tests.Grains;

public interface IGuidCounterGrain : ICounterOperations, IGrainWithGuidKey
{
    Task<Guid> GetKey();
}
