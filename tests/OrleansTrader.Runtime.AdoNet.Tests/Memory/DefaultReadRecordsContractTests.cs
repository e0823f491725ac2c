namespace OrleansTrader.Runtime.AdoNet.Tests;

/// <summary>
/// The contract through a provider that implements only the required members: the default bulk read
/// (<see cref="IGrainStorage.ReadRecordsAsync{T}"/>, one read per record) must give what the providers' own do.
/// </summary>
public sealed class DefaultReadRecordsContractTests : GrainStorageContractTests
{
    protected override Task<IGrainStorage> CreateStorageAsync() =>
        Task.FromResult<IGrainStorage>(new RequiredMembersOnly(new MemoryGrainStorage(TestJsonSerializer.Instance)));

    protected override Task<long> CountRowsAsync(IGrainStorage storage, GrainId grain)
    {
        var memory = ((RequiredMembersOnly)storage).Inner;
        return Task.FromResult<long>(memory.Count + memory.Tombstones);
    }

    private sealed class RequiredMembersOnly(MemoryGrainStorage inner) : IGrainStorage
    {
        public MemoryGrainStorage Inner => inner;

        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
            inner.ReadStateAsync(stateName, grainId, grainState, cancellationToken);

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
            inner.WriteStateAsync(stateName, grainId, grainState, cancellationToken);

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
            inner.ClearStateAsync(stateName, grainId, grainState, cancellationToken);

        public Task DeleteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
            inner.DeleteStateAsync(stateName, grainId, grainState, cancellationToken);
    }
}
