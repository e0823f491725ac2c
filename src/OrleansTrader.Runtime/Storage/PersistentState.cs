using Microsoft.Extensions.DependencyInjection;

namespace OrleansTrader.Runtime;

/// <summary>One [PersistentState] of one activation, backed by a keyed <see cref="IGrainStorage"/>.</summary>
internal sealed class PersistentState<TState> : IPersistentState<TState>, IActivationStateLoader
{
    private readonly GrainState<TState> _grainState;
    private readonly IGrainStorage _storage;
    private readonly string _stateName;
    private readonly GrainId _grainId;

    public PersistentState(ActivationData activation, string stateName, string storageName)
    {
        _stateName = stateName;
        _grainId = activation.GrainId;
        _storage = activation.Runtime.Services.GetKeyedService<IGrainStorage>(storageName)
            ?? throw new InvalidOperationException(
                $"No grain storage named '{storageName}' is registered (state '{stateName}' of {activation.GrainId}). " +
                $"Register one, e.g. silo.AddMemoryGrainStorage(\"{storageName}\").");
        _grainState = new GrainState<TState>(CreateDefault());
        activation.AddStateLoader(this);
    }

    public TState State
    {
        get => _grainState.State;
        set => _grainState.State = value;
    }

    public string? Etag => _grainState.ETag;

    public bool RecordExists => _grainState.RecordExists;

    public Task ReadStateAsync(CancellationToken cancellationToken = default) =>
        _storage.ReadStateAsync(_stateName, _grainId, _grainState, cancellationToken);

    public Task WriteStateAsync(CancellationToken cancellationToken = default) =>
        _storage.WriteStateAsync(_stateName, _grainId, _grainState, cancellationToken);

    public async Task ClearStateAsync(CancellationToken cancellationToken = default)
    {
        await _storage.ClearStateAsync(_stateName, _grainId, _grainState, cancellationToken);

        // As in Orleans: once the record is gone the grain sees a fresh default, not the values it just deleted (a write
        // after the clear would otherwise bring them back).
        _grainState.State = CreateDefault();
    }

    Task IActivationStateLoader.LoadAsync(CancellationToken cancellationToken) => ReadStateAsync(cancellationToken);

    private static TState CreateDefault() =>
        typeof(TState).IsValueType || typeof(TState).GetConstructor(Type.EmptyTypes) is not null
            ? Activator.CreateInstance<TState>()
            : default!;
}
