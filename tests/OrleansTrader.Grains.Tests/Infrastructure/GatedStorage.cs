using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests.Infrastructure;

/// <summary>
/// The memory storage, holding the next write of one record until released (for what interleaves with that write), and
/// failing the next one when told to.
/// </summary>
internal sealed class GatedStorage(string gatedRecord) : IGrainStorage
{
    private IGrainStorage? _inner;
    private TaskCompletionSource? _entered;
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Fails the next write of the record (before the gate's): a placement whose write failed was never sent.</summary>
    public bool FailNext { get; set; }

    public IGrainStorage Over(IServiceProvider services)
    {
        _inner ??= new MemoryGrainStorage(services.GetRequiredService<IGrainStateSerializer>());
        return this;
    }

    /// <summary>Arms the gate; the task completes when the next write of the record is waiting at it.</summary>
    public Task HoldNextWrite()
    {
        _entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        return _entered.Task;
    }

    public void Release() => _release.TrySetResult();

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
        _inner!.ReadStateAsync(stateName, grainId, grainState, cancellationToken);

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
    {
        if (stateName == gatedRecord && FailNext)
        {
            FailNext = false;
            throw new IOException("The disk is full (test).");
        }

        if (stateName == gatedRecord && Interlocked.Exchange(ref _entered, null) is { } entered)
        {
            entered.SetResult();
            await _release.Task;
        }

        await _inner!.WriteStateAsync(stateName, grainId, grainState, cancellationToken);
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
        _inner!.ClearStateAsync(stateName, grainId, grainState, cancellationToken);

    public Task DeleteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
        _inner!.DeleteStateAsync(stateName, grainId, grainState, cancellationToken);
}
