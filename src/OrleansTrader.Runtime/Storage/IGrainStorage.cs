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

    /// <summary>
    /// Deletes the record as <see cref="ClearStateAsync{T}"/> does (same ETag condition), and its tombstone with it (with
    /// a null ETag, only a tombstone): nothing is left of the name. Only for a name that is never written again, such as
    /// a history or trade page under a number its owner has moved past.
    /// </summary>
    /// <remarks>
    /// The tombstone a clear leaves keeps the version going, so a writer holding an ETag from before the clear conflicts
    /// even after the name is written again. For a name never written again there is no "again": a writer with an old
    /// ETag finds no row and conflicts (a conditional write needs a record at its version), and a writer with no ETag
    /// could resurrect the name as well over a tombstone as over nothing. So the tombstone protects nothing there and only
    /// takes space, one row per page for good. A provider that does not implement this keeps the tombstone (a clear).
    /// </remarks>
    Task DeleteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
        ClearStateAsync(stateName, grainId, grainState, cancellationToken);

    /// <summary>
    /// Reads several records of one grain, each as <see cref="GrainStorageExtensions.ReadRecordAsync{T}"/> reads it (a
    /// missing record or a tombstone comes back as a new <typeparamref name="T"/> with no ETag and RecordExists false), in
    /// the order of <paramref name="stateNames"/>; a name asked twice comes back twice, as separate records.
    /// </summary>
    /// <remarks>
    /// For a grain that reads a run of its records at once (an account's retained history pages on activation): a SQL
    /// provider reads them in one query per chunk of names instead of a round trip each. The records are read together
    /// but not as one snapshot: a write between chunks may be seen by the later ones only, as with separate reads. A
    /// provider that does not implement this reads them one by one.
    /// </remarks>
    async Task<IReadOnlyList<GrainState<T>>> ReadRecordsAsync<T>(
        IReadOnlyList<string> stateNames, GrainId grainId, CancellationToken cancellationToken = default)
        where T : class, new()
    {
        ArgumentNullException.ThrowIfNull(stateNames);
        var records = new GrainState<T>[stateNames.Count];
        for (var i = 0; i < records.Length; i++)
        {
            records[i] = await this.ReadRecordAsync<T>(stateNames[i], grainId, cancellationToken);
        }

        return records;
    }
}
