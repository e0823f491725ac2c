using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests.Infrastructure;

/// <summary>
/// A test decorator's base: every member forwarded to <paramref name="inner"/>, for a test to override the one it alters.
/// Bulk reads are not forwarded: the interface's default reads record by record through <see cref="ReadStateAsync{T}"/>,
/// so a decorator that holds or counts reads sees each record of them.
/// </summary>
internal abstract class ForwardingGrainStorage(IGrainStorage inner) : IGrainStorage
{
    public virtual Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
        inner.ReadStateAsync(stateName, grainId, grainState, cancellationToken);

    public virtual Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
        inner.WriteStateAsync(stateName, grainId, grainState, cancellationToken);

    public virtual Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
        inner.ClearStateAsync(stateName, grainId, grainState, cancellationToken);

    public virtual Task DeleteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
        inner.DeleteStateAsync(stateName, grainId, grainState, cancellationToken);
}
