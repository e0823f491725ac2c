using System.Collections.Concurrent;
using System.Globalization;

namespace OrleansTrader.Runtime;

/// <summary>
/// In-process grain storage keyed by (grain type, grain key, state name) with integer ETags and conditional writes.
/// With a serializer (as registered by AddMemoryGrainStorage) it stores bytes, so later changes to a grain's state object
/// never leak into the stored copy; without one it stores the object reference (fast, for benchmarks and simple tests).
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

    /// <summary>The number of stored records.</summary>
    public int Count => _records.Count;

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        if (_records.TryGetValue(Key(stateName, grainId), out var entry))
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
        if (expected is null)
        {
            written = new Entry(1, bytes, bytes is null ? grainState.State : null);
            if (!_records.TryAdd(key, written))
            {
                throw Conflict(stateName, grainId, key, expected);
            }
        }
        else
        {
            if (!_records.TryGetValue(key, out var current) || current.ETag != expected)
            {
                throw Conflict(stateName, grainId, key, expected);
            }

            written = new Entry(current.Version + 1, bytes, bytes is null ? grainState.State : null);
            if (!_records.TryUpdate(key, written, current))
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
        if (_records.TryGetValue(key, out var current))
        {
            if (current.ETag != expected || !_records.TryRemove(new KeyValuePair<(string, string, string), Entry>(key, current)))
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
        var stored = _records.TryGetValue(key, out var entry) ? entry.ETag : null;
        return new InconsistentStateException(
            $"State '{stateName}' of {grainId}: stored version {stored ?? "none"}, writer had {expected ?? "none"}.", stored, expected);
    }

    private sealed class Entry(long version, byte[]? bytes, object? value)
    {
        public long Version { get; } = version;

        public string ETag { get; } = version.ToString(CultureInfo.InvariantCulture);

        public byte[]? Bytes { get; } = bytes;

        public object? Value { get; } = value;
    }
}
