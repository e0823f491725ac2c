using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace OrleansTrader.Runtime;

/// <summary>
/// How far the consumers of one durable provider are behind, for the lag metric. A consumer is tracked while it has a
/// delivery cursor on this silo (its owner: entries leave when the cursor retires, so memory is bounded by the running
/// cursors); its lag is the stream's newest sequence known here minus the checkpoint it last read or saved. A consumer
/// whose checkpoint is not read yet is not counted. Every namespace ever tracked keeps reporting (0 when idle), so a
/// scraper never keeps a stale non-zero value.
/// </summary>
internal sealed class DurableStreamLag
{
    private const long Unknown = -1;

    private readonly Lock _lock = new();
    private readonly Dictionary<StreamId, (long Head, int Consumers)> _streams = [];
    private readonly Dictionary<(StreamId StreamId, string ConsumerId), long> _checkpoints = [];
    private readonly HashSet<string> _namespaces = new(StringComparer.Ordinal);

    public void Track(StreamId streamId, string consumerId)
    {
        lock (_lock)
        {
            if (!_checkpoints.TryAdd((streamId, consumerId), Unknown))
            {
                return;
            }

            ref var stream = ref CollectionsMarshal.GetValueRefOrAddDefault(_streams, streamId, out _);
            stream.Consumers++;
            _namespaces.Add(streamId.Namespace);
        }
    }

    public void Untrack(StreamId streamId, string consumerId)
    {
        lock (_lock)
        {
            if (!_checkpoints.Remove((streamId, consumerId)))
            {
                return;
            }

            ref var stream = ref CollectionsMarshal.GetValueRefOrNullRef(_streams, streamId);
            if (--stream.Consumers == 0)
            {
                _streams.Remove(streamId);
            }
        }
    }

    /// <summary>A sequence known to exist in the stream (appended, tailed or read); the head only moves forward.</summary>
    public void ObserveHead(StreamId streamId, long sequence)
    {
        lock (_lock)
        {
            ref var stream = ref CollectionsMarshal.GetValueRefOrNullRef(_streams, streamId);
            if (!Unsafe.IsNullRef(ref stream) && sequence > stream.Head)
            {
                stream.Head = sequence;
            }
        }
    }

    /// <summary>The consumer's checkpoint as read, saved or reset (a rewind moves it back).</summary>
    public void ObserveCheckpoint(StreamId streamId, string consumerId, long checkpoint)
    {
        lock (_lock)
        {
            ref var current = ref CollectionsMarshal.GetValueRefOrNullRef(_checkpoints, (streamId, consumerId));
            if (!Unsafe.IsNullRef(ref current))
            {
                current = checkpoint;
            }
        }
    }

    /// <summary>Summed lag per stream namespace, every namespace tracked so far included.</summary>
    public KeyValuePair<string, long>[] ByNamespace()
    {
        lock (_lock)
        {
            var sums = _namespaces.ToDictionary(n => n, _ => 0L, StringComparer.Ordinal);
            foreach (var ((streamId, _), checkpoint) in _checkpoints)
            {
                var head = _streams[streamId].Head;
                if (checkpoint != Unknown && head > checkpoint)
                {
                    sums[streamId.Namespace] += head - checkpoint;
                }
            }

            return [.. sums];
        }
    }
}
