namespace OrleansTrader.Runtime.AdoNet.Tests;

/// <summary>The runtime's in-memory grain storage against the same contract as the SQL providers.</summary>
public sealed class MemoryGrainStorageContractTests : GrainStorageContractTests
{
    protected override Task<IGrainStorage> CreateStorageAsync() =>
        Task.FromResult<IGrainStorage>(new MemoryGrainStorage(TestJsonSerializer.Instance));
}
