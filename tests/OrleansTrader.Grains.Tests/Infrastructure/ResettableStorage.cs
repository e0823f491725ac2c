using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests.Infrastructure;

/// <summary>The default (memory) storage, with every record of one grain cleared on demand (its storage wiped).</summary>
internal sealed class ResettableStorage : IGrainStorage
{
    private readonly Dictionary<(string Name, GrainId Grain), Func<Task>> _clears = [];
    private IGrainStorage? _inner;

    public IGrainStorage Over(IServiceProvider services)
    {
        _inner ??= new MemoryGrainStorage(services.GetRequiredService<IGrainStateSerializer>());
        return this;
    }

    public async Task ResetAsync(GrainId grain)
    {
        List<Func<Task>> clears;
        lock (_clears)
        {
            clears = [.. _clears.Where(c => c.Key.Grain == grain).Select(c => c.Value)];
        }

        Assert.NotEmpty(clears);
        foreach (var clear in clears)
        {
            await clear();
        }
    }

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
        _inner!.ReadStateAsync(stateName, grainId, grainState, cancellationToken);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
    {
        lock (_clears)
        {
            _clears[(stateName, grainId)] = async () =>
            {
                var current = new GrainState<T>(grainState.State);
                await _inner!.ReadStateAsync(stateName, grainId, current);
                await _inner.ClearStateAsync(stateName, grainId, current);
            };
        }

        return _inner!.WriteStateAsync(stateName, grainId, grainState, cancellationToken);
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
        _inner!.ClearStateAsync(stateName, grainId, grainState, cancellationToken);

    public Task DeleteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
        _inner!.DeleteStateAsync(stateName, grainId, grainState, cancellationToken);
}
