namespace OrleansTrader.Runtime.AdoNet.Tests;

/// <summary>The runtime's in-memory grain storage against the same contract as the SQL providers.</summary>
public sealed class MemoryGrainStorageContractTests : GrainStorageContractTests
{
    protected override Task<IGrainStorage> CreateStorageAsync() =>
        Task.FromResult<IGrainStorage>(new MemoryGrainStorage(TestJsonSerializer.Instance));

    // Each test has a storage of its own, so all its entries are the grain's.
    protected override Task<long> CountRowsAsync(IGrainStorage storage, GrainId grain)
    {
        var memory = (MemoryGrainStorage)storage;
        return Task.FromResult<long>(memory.Count + memory.Tombstones);
    }
}
