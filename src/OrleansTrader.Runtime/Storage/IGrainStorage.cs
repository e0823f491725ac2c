namespace OrleansTrader.Runtime;

/// <summary>
/// A grain storage provider. Records are keyed by (grain type, grain key, state name); the ETag is an integer
/// version and every write or clear is conditional on it. A mismatch throws <see cref="InconsistentStateException"/>.
/// </summary>
public interface IGrainStorage
{
    /// <summary>Reads the record into <paramref name="grainState"/>; when none exists, leaves State as is and sets RecordExists false.</summary>
    Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default);

    /// <summary>Writes State if the stored version equals ETag (null means "no record yet"); then sets the new ETag.</summary>
    Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default);

    /// <summary>Deletes the record if the stored version equals ETag; then ETag is null and RecordExists false.</summary>
    Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default);
}
