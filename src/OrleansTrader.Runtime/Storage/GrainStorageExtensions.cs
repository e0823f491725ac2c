namespace OrleansTrader.Runtime;

public static class GrainStorageExtensions
{
    /// <summary>
    /// Reads a record of its own (not an activation's persistent state): a missing one comes back as a new
    /// <typeparamref name="T"/> with no ETag, so the first write creates it.
    /// </summary>
    public static async Task<GrainState<T>> ReadRecordAsync<T>(
        this IGrainStorage storage, string name, GrainId grainId, CancellationToken cancellationToken = default)
        where T : class, new()
    {
        ArgumentNullException.ThrowIfNull(storage);
        var record = new GrainState<T>(new T());
        await storage.ReadStateAsync(name, grainId, record, cancellationToken);
        record.State ??= new T();
        return record;
    }
}
