namespace OrleansTrader.Runtime;

/// <summary>
/// A grain's named persistent state, injected with <see cref="PersistentStateAttribute"/>. Read before OnActivateAsync;
/// writes are conditional on <see cref="Etag"/> and throw <see cref="InconsistentStateException"/> on conflict, which also
/// deactivates the activation.
/// </summary>
public interface IPersistentState<TState>
{
    TState State { get; set; }

    string? Etag { get; }

    bool RecordExists { get; }

    Task ReadStateAsync(CancellationToken cancellationToken = default);

    Task WriteStateAsync(CancellationToken cancellationToken = default);

    Task ClearStateAsync(CancellationToken cancellationToken = default);
}
