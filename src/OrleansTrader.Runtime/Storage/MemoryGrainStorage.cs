using System.Collections.Concurrent;
using System.Globalization;

namespace OrleansTrader.Runtime;

/// <summary>
/// In-process grain storage keyed by (grain type, grain key, state name) with integer ETags and conditional writes.
/// With a serializer (as registered by AddMemoryGrainStorage) it stores bytes, so later changes to a grain's state object
/// never leak into the stored copy; without one it stores the object reference (fast, for benchmarks and simple tests).
/// A clear leaves a tombstone with the next version, as the SQL providers do, so a version number is never reused and
/// a writer holding an ETag from before the clear always conflicts.
/// </summary>
public sealed class MemoryGrainStorage : IGrainStorage
{
    private readonly ConcurrentDictionary<(string GrainType, string Key, string StateName), Entry> _records = new();
    private readonly IGrainStateSerializer? _serializer;

    public MemoryGrainStorage()
    {
    }

    public MemoryGrainStorage(IGrainStateSerializer serializer)
    {
        _serializer = serializer ?? throw new ArgumentNullException(nameof(serializer));
    }

    /// <summary>The number of stored records (tombstones excluded).</summary>
    public int Count => _records.Values.Count(e => e.Exists);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        if (_records.TryGetValue(Key(stateName, grainId), out var entry) && entry.Exists)
        {
            grainState.State = entry.Bytes is { } bytes ? _serializer!.Deserialize<T>(bytes) : (T)entry.Value!;
            grainState.ETag = entry.ETag;
            grainState.RecordExists = true;
        }
        else
        {
            grainState.ETag = null;
            grainState.RecordExists = false;
        }

        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var key = Key(stateName, grainId);
        var expected = grainState.ETag;
        var bytes = _serializer?.Serialize(grainState.State);
        Entry written;
        object? value = bytes is null ? grainState.State : null;
        if (!_records.TryGetValue(key, out var current))
        {
            written = new Entry(1, exists: true, bytes, value);
            if (expected is not null || !_records.TryAdd(key, written))
            {
                throw Conflict(stateName, grainId, key, expected);
            }
        }
        else
        {
            // A live record must match the writer's ETag; a tombstone accepts only a writer that saw no record.
            var matches = current.Exists ? current.ETag == expected : expected is null;
            written = new Entry(current.Version + 1, exists: true, bytes, value);
            if (!matches || !_records.TryUpdate(key, written, current))
            {
                throw Conflict(stateName, grainId, key, expected);
            }
        }

        grainState.ETag = written.ETag;
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var key = Key(stateName, grainId);
        var expected = grainState.ETag;
        if (_records.TryGetValue(key, out var current) && current.Exists)
        {
            var tombstone = new Entry(current.Version + 1, exists: false, bytes: null, value: null);
            if (current.ETag != expected || !_records.TryUpdate(key, tombstone, current))
            {
                throw Conflict(stateName, grainId, key, expected);
            }
        }
        else if (expected is not null)
        {
            throw Conflict(stateName, grainId, key, expected);
        }

        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    private static (string, string, string) Key(string stateName, GrainId grainId)
    {
        ArgumentNullException.ThrowIfNull(stateName);
        return (grainId.Type.Value, grainId.Key, stateName);
    }

    private InconsistentStateException Conflict(string stateName, GrainId grainId, (string, string, string) key, string? expected)
    {
        var stored = _records.TryGetValue(key, out var entry) && entry.Exists ? entry.ETag : null;
        return new InconsistentStateException(
            $"State '{stateName}' of {grainId}: stored version {stored ?? "none"}, writer had {expected ?? "none"}.", stored, expected);
    }

    private sealed class Entry(long version, bool exists, byte[]? bytes, object? value)
    {
        public long Version { get; } = version;

        /// <summary>False for the tombstone a clear leaves behind.</summary>
        public bool Exists { get; } = exists;

        public string ETag { get; } = version.ToString(CultureInfo.InvariantCulture);

        public byte[]? Bytes { get; } = bytes;

        public object? Value { get; } = value;
    }
}
