using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests.Infrastructure;

/// <summary>The default (memory) storage, failing the next write of one record name when told to.</summary>
internal sealed class WriteFailingStorage(string failedRecord) : IGrainStorage
{
    private IGrainStorage? _inner;

    public bool FailNext { get; set; }

    /// <summary>Fails every write of the record while set (a silo that dies before any of them reached storage).</summary>
    public bool FailAll { get; set; }

    public IGrainStorage Over(IServiceProvider services)
    {
        _inner ??= new MemoryGrainStorage(services.GetRequiredService<IGrainStateSerializer>());
        return this;
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
        _inner!.ReadStateAsync(stateName, grainId, grainState, cancellationToken);

    /// <summary>Stores the next write of the record, then fails it (the database committed; its answer was lost).</summary>
    public bool FailNextAfterWriting { get; set; }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
    {
        if ((FailNext || FailAll) && stateName == failedRecord)
        {
            FailNext = false;
            throw new IOException("The disk is full (test).");
        }

        await _inner!.WriteStateAsync(stateName, grainId, grainState, cancellationToken);
        if (FailNextAfterWriting && stateName == failedRecord)
        {
            FailNextAfterWriting = false;
            throw new IOException("The connection dropped before the commit was acknowledged (test).");
        }
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
        _inner!.ClearStateAsync(stateName, grainId, grainState, cancellationToken);

    public Task DeleteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
        _inner!.DeleteStateAsync(stateName, grainId, grainState, cancellationToken);
}
