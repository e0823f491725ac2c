namespace OrleansTrader.Runtime;

/// <summary>
/// What one durable provider knows about its streams without reading the log: the newest sequence it has seen (appended
/// here, read, or found by the scan) and a bounded tail of the events appended here, contiguous in sequence. A cursor
/// that is caught up with the known head retires without a read; one whose next event is in the tail takes it from
/// memory; anything else (a restart, a rewind, a long lag, events appended by another silo) reads the log. Tails are
/// bounded per stream (<see cref="DurableStreamOptions.TailEventsPerStream"/>) and in total payload bytes
/// (<see cref="DurableStreamOptions.TailMaxBytes"/>, least recently appended streams dropped first). The known head
/// stays after a tail is dropped: one small entry per stream seen on this silo. For a payload type declared immutable
/// (AddImmutableType) a tail also keeps the objects of its stream's newest published batch, only that batch, so a
/// consumer that is keeping up takes the object itself instead of deserializing it.
/// </summary>
internal sealed class DurableStreamTails(int eventsPerStream, long maxBytes)
{
    private const long Unknown = -1;

    private readonly Lock _lock = new();
    private readonly Dictionary<StreamId, Tail> _streams = [];
    private readonly LinkedList<StreamId> _recent = new();
    private long _bytes;
    private long _hits;
    private long _caughtUp;
    private long _misses;

    /// <summary>Payload bytes held by all tails.</summary>
    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    /// <summary>Events held by all tails.</summary>
    public long Events
    {
        get
        {
            lock (_lock)
            {
                return _streams.Values.Sum(t => (long)t.Events.Count);
            }
        }
    }

    /// <summary>Cursor reads answered from a tail.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Cursor reads answered by the known head (nothing newer: no read).</summary>
    public long CaughtUp => Interlocked.Read(ref _caughtUp);

    /// <summary>Cursor reads that had to go to the log.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>
    /// Events this silo appended (their sequences are the stream's head at the time of the append); <paramref name="published"/>
    /// holds their objects, one per event, when the payload type is immutable.
    /// </summary>
    public void Appended(StreamId streamId, IReadOnlyList<StoredStreamEvent> appended, IReadOnlyList<object?>? published = null)
    {
        if (appended.Count == 0)
        {
            return;
        }

        lock (_lock)
        {
            var tail = GetOrAdd(streamId);
            tail.Head = Math.Max(tail.Head, appended[^1].Sequence);
            if (eventsPerStream <= 0)
            {
                return;
            }

            // The tail must stay contiguous: a gap (events appended elsewhere, or appends completing out of order) restarts it.
            if (tail.Events.Count > 0 && tail.Events[^1].Sequence + 1 != appended[0].Sequence)
            {
                Clear(tail);
            }

            // Only the newest batch: older objects would outlive their delivery for nothing but the GC to copy.
            tail.Published = published is not null && published.Count == appended.Count ? published : null;
            tail.PublishedFrom = appended[0].Sequence;

            // A batch larger than the tail keeps only its newest events.
            var skip = Math.Max(0, appended.Count - eventsPerStream);
            for (var i = skip; i < appended.Count; i++)
            {
                tail.Events.Add(appended[i]);
                tail.Bytes += appended[i].Payload.Length;
                _bytes += appended[i].Payload.Length;
            }

            var excess = tail.Events.Count - eventsPerStream;
            if (excess > 0)
            {
                for (var i = 0; i < excess; i++)
                {
                    tail.Bytes -= tail.Events[i].Payload.Length;
                    _bytes -= tail.Events[i].Payload.Length;
                }

                tail.Events.RemoveRange(0, excess);
            }

            if (tail.Recent is null)
            {
                tail.Recent = _recent.AddLast(streamId);
            }
            else if (tail.Recent != _recent.Last)
            {
                _recent.Remove(tail.Recent);
                _recent.AddLast(tail.Recent);
            }

            while (_bytes > maxBytes && _recent.First is { } oldest)
            {
                Clear(_streams[oldest.Value]);
            }
        }
    }

    /// <summary>A sequence known to exist in the stream (found by the scan); 0 says nothing.</summary>
    public void ObserveHead(StreamId streamId, long sequence)
    {
        if (sequence > 0)
        {
            RaiseHead(streamId, sequence);
        }
    }

    /// <summary>The newest sequence known to exist in the stream; 0 when unknown.</summary>
    public long KnownHead(StreamId streamId)
    {
        lock (_lock)
        {
            return _streams.TryGetValue(streamId, out var tail) && tail.Head != Unknown ? tail.Head : 0;
        }
    }

    private void RaiseHead(StreamId streamId, long sequence)
    {
        lock (_lock)
        {
            var tail = GetOrAdd(streamId);
            tail.Head = Math.Max(tail.Head, sequence);
        }
    }

    /// <summary>
    /// A log read after <paramref name="afterSequence"/>: unless it filled the batch (more may follow), its last event
    /// (or, when empty, <paramref name="afterSequence"/>) was the stream's head at the time.
    /// </summary>
    public void ObserveRead(StreamId streamId, long afterSequence, IReadOnlyList<StoredStreamEvent> events, int maxCount)
    {
        if (events.Count < maxCount)
        {
            RaiseHead(streamId, events.Count == 0 ? afterSequence : events[^1].Sequence);
        }
    }

    /// <summary>
    /// The events after <paramref name="afterSequence"/> without reading the log: an empty list when the consumer is caught
    /// up with the known head, the next events when the tail holds them, null when the log must be read.
    /// </summary>
    public IReadOnlyList<StoredStreamEvent>? TryRead(StreamId streamId, long afterSequence, int maxCount)
    {
        lock (_lock)
        {
            if (!_streams.TryGetValue(streamId, out var tail) || tail.Head == Unknown)
            {
                Interlocked.Increment(ref _misses);
                return null;
            }

            if (afterSequence >= tail.Head)
            {
                Interlocked.Increment(ref _caughtUp);
                return [];
            }

            var events = tail.Events;
            if (events.Count == 0 || events[0].Sequence > afterSequence + 1 || events[^1].Sequence <= afterSequence)
            {
                Interlocked.Increment(ref _misses);
                return null;
            }

            var start = (int)(afterSequence + 1 - events[0].Sequence);
            var count = Math.Min(maxCount, events.Count - start);
            Interlocked.Increment(ref _hits);

            // A copy (the tail changes under the reader), as an array: GetRange made a list around one on every read.
            var read = new StoredStreamEvent[count];
            events.CopyTo(start, read, 0, count);
            return read;
        }
    }

    /// <summary>The object published on this silo for the event at <paramref name="sequence"/>, while its batch is the newest.</summary>
    public object? TryGetPublished(StreamId streamId, long sequence)
    {
        lock (_lock)
        {
            if (!_streams.TryGetValue(streamId, out var tail) || tail.Published is not { } published)
            {
                return null;
            }

            var index = sequence - tail.PublishedFrom;
            return index >= 0 && index < published.Count ? published[(int)index] : null;
        }
    }

    private Tail GetOrAdd(StreamId streamId)
    {
        if (!_streams.TryGetValue(streamId, out var tail))
        {
            _streams[streamId] = tail = new Tail();
        }

        return tail;
    }

    private void Clear(Tail tail)
    {
        _bytes -= tail.Bytes;
        tail.Bytes = 0;
        tail.Events.Clear();
        tail.Published = null;
        if (tail.Recent is not null)
        {
            _recent.Remove(tail.Recent);
            tail.Recent = null;
        }
    }

    private sealed class Tail
    {
        public readonly List<StoredStreamEvent> Events = [];
        public long Head = Unknown;
        public long Bytes;
        public LinkedListNode<StreamId>? Recent;
        public IReadOnlyList<object?>? Published;
        public long PublishedFrom;
    }
}
