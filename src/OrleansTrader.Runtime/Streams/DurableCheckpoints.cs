namespace OrleansTrader.Runtime;

/// <summary>
/// Consumer checkpoints of one durable provider, remembered in memory once read or written (checkpoints of the consumers
/// delivering on this silo are only written through here, so a re-woken cursor needs no read). Delivered progress is
/// written in coalesced batches: at most every <see cref="DurableStreamOptions.CheckpointFlushInterval"/>, at once when a
/// consumer is <see cref="DurableStreamOptions.CheckpointMaxUnflushedEvents"/> ahead of its stored checkpoint, and on a
/// graceful stop. One entry per (stream, consumer) seen here; explicit consumers are forgotten when their last subscription goes.
/// </summary>
internal sealed class DurableCheckpoints
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(StreamId StreamId, string ConsumerId), Entry> _entries = [];
    private readonly HashSet<(StreamId StreamId, string ConsumerId)> _dirty = [];

    // Flushes and resets take turns: a flush started before a rewind must not land after it (saves only move forward).
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly DurableStreamProvider _provider;
    private readonly DurableStreamLag _lag;
    private bool _flushScheduled;

    public DurableCheckpoints(DurableStreamProvider provider, DurableStreamLag lag)
    {
        _provider = provider;
        _lag = lag;
    }

    /// <summary>Coalescing is off: every advance is a log write.</summary>
    public bool WritesThrough => _provider.Options.CheckpointFlushInterval <= TimeSpan.Zero;

    /// <summary>Checkpoints waiting for a flush (diagnostics and tests).</summary>
    public int DirtyCount
    {
        get
        {
            lock (_lock)
            {
                return _dirty.Count;
            }
        }
    }

    /// <summary>The consumer's delivered checkpoint: from memory when known, else read from the log once.</summary>
    public async ValueTask<long> GetAsync(StreamId streamId, string consumerId, CancellationToken cancellationToken)
    {
        var key = (streamId, consumerId);
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var known))
            {
                _lag.ObserveCheckpoint(streamId, consumerId, known.Delivered);
                return known.Delivered;
            }
        }

        var stored = await _provider.Log.GetCheckpointAsync(streamId, consumerId, cancellationToken);
        if (stored == 0)
        {
            // Stored, so retention counts the consumer as one that acknowledged nothing yet: without a checkpoint the trim
            // knew no such consumer and deleted the events it had not read once the others had acknowledged them.
            await _provider.Log.SaveCheckpointAsync(streamId, consumerId, 0, cancellationToken);
        }

        lock (_lock)
        {
            // A concurrent writer (a rewind) may have set it meanwhile; what it set wins over the older read.
            if (!_entries.TryGetValue(key, out var entry))
            {
                _entries[key] = entry = new Entry { Delivered = stored, Stored = stored };
            }

            return entry.Delivered;
        }
    }

    /// <summary>
    /// Records that the consumer processed everything up to <paramref name="sequence"/>. Written through when coalescing is
    /// off or <paramref name="flushNow"/> is set; otherwise marked for the next batch, waiting for it only when the
    /// consumer is too far ahead of its stored checkpoint.
    /// </summary>
    public async Task AdvanceAsync(StreamId streamId, string consumerId, long sequence, bool flushNow, CancellationToken cancellationToken)
    {
        var key = (streamId, consumerId);
        if (WritesThrough)
        {
            // Remembered only once stored: a failed save leaves the old checkpoint, so a restarted cursor redelivers.
            await _provider.Log.SaveCheckpointAsync(streamId, consumerId, sequence, cancellationToken);
            lock (_lock)
            {
                var entry = GetOrAdd(key);
                entry.Delivered = Math.Max(entry.Delivered, sequence);
                entry.Stored = Math.Max(entry.Stored, sequence);
            }

            return;
        }

        bool mustFlush;
        lock (_lock)
        {
            var entry = GetOrAdd(key);
            entry.Delivered = Math.Max(entry.Delivered, sequence);
            if (entry.Delivered <= entry.Stored)
            {
                return;
            }

            _dirty.Add(key);
            mustFlush = flushNow || entry.Delivered - entry.Stored >= _provider.Options.CheckpointMaxUnflushedEvents;
            if (!mustFlush)
            {
                ScheduleFlush();
            }
        }

        _lag.ObserveCheckpoint(streamId, consumerId, sequence);
        if (mustFlush)
        {
            await FlushAsync(cancellationToken);
        }
    }

    /// <summary>Sets the checkpoint to any value (a rewind), in the log and here.</summary>
    public async Task ResetAsync(StreamId streamId, string consumerId, long sequence, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await _provider.Log.ResetCheckpointAsync(streamId, consumerId, sequence, cancellationToken);
            lock (_lock)
            {
                var entry = GetOrAdd((streamId, consumerId));
                entry.Delivered = sequence;
                entry.Stored = sequence;
                _dirty.Remove((streamId, consumerId));
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>Writes every checkpoint that is ahead of its stored value, in one batch; nothing to write costs nothing.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_dirty.Count == 0)
            {
                return;
            }
        }

        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            List<StreamCheckpoint> batch;
            lock (_lock)
            {
                batch = new List<StreamCheckpoint>(_dirty.Count);
                foreach (var key in _dirty)
                {
                    batch.Add(new StreamCheckpoint(key.StreamId, key.ConsumerId, _entries[key].Delivered));
                }

                _dirty.Clear();
            }

            if (batch.Count == 0)
            {
                return;
            }

            try
            {
                await _provider.Log.SaveCheckpointsAsync(batch, cancellationToken);
            }
            catch
            {
                // Not stored: mark them again (their progress may have moved further meanwhile; the newest value is kept),
                // and schedule the next flush: one forced by a dead letter or the unflushed bound has none behind it, so on
                // a quiet stream the checkpoint waited for the stop, and a crash meanwhile delivered (and dead-lettered) the
                // event again.
                lock (_lock)
                {
                    foreach (var checkpoint in batch)
                    {
                        var key = (checkpoint.StreamId, checkpoint.ConsumerId);
                        if (_entries.TryGetValue(key, out var entry) && entry.Delivered > entry.Stored)
                        {
                            _dirty.Add(key);
                        }
                    }

                    if (_dirty.Count > 0)
                    {
                        ScheduleFlush();
                    }
                }

                throw;
            }

            lock (_lock)
            {
                foreach (var checkpoint in batch)
                {
                    if (_entries.TryGetValue((checkpoint.StreamId, checkpoint.ConsumerId), out var entry))
                    {
                        entry.Stored = Math.Max(entry.Stored, checkpoint.Sequence);
                    }
                }
            }
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>
    /// Drops a consumer left without subscription (an unsubscribed client handle, or a grain whose last stored
    /// subscription went) whose cursor is gone, here and in the log: its checkpoint would otherwise hold the stream's
    /// retention at that point forever.
    /// </summary>
    public async Task RemoveAsync(StreamId streamId, string consumerId, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            var key = (streamId, consumerId);
            lock (_lock)
            {
                _dirty.Remove(key);
                _entries.Remove(key);
            }

            await _provider.Log.RemoveCheckpointAsync(streamId, consumerId, cancellationToken);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    private Entry GetOrAdd((StreamId StreamId, string ConsumerId) key)
    {
        if (!_entries.TryGetValue(key, out var entry))
        {
            // Only a cursor that read (or reset) the checkpoint advances it, so this is the rare forgotten-meanwhile case.
            _entries[key] = entry = new Entry();
        }

        return entry;
    }

    /// <summary>Starts one delayed flush for everything dirty by then; the caller holds the lock.</summary>
    private void ScheduleFlush()
    {
        if (_flushScheduled)
        {
            return;
        }

        _flushScheduled = true;
        _ = BackgroundWork.Start(FlushLaterAsync);
    }

    private async Task FlushLaterAsync()
    {
        var stopping = _provider.StoppingToken;
        try
        {
            await Task.Delay(_provider.Options.CheckpointFlushInterval, _provider.Runtime.TimeProvider, stopping);
        }
        catch (OperationCanceledException)
        {
            // Stopping: a graceful stop flushes what is left; a crash leaves it to be redelivered.
            return;
        }

        lock (_lock)
        {
            _flushScheduled = false;
        }

        try
        {
            await FlushAsync(stopping);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex)
        {
            // A dropped connection is the pool's, not the store's: the failed batch is marked dirty again and the next
            // flush, over a new connection, writes it (saves only move forward, so a late one cannot move a checkpoint back).
            if (DurableStreamProvider.DroppedConnection(ex))
            {
                _provider.Runtime.LogStreamCheckpointConnectionDropped("checkpoints", _provider.Name, ex.Message);
            }
            else
            {
                _provider.Runtime.LogStreamAgentFailed(ex, "checkpoints", _provider.Name);
            }

            lock (_lock)
            {
                if (_dirty.Count > 0)
                {
                    ScheduleFlush();
                }
            }
        }
    }

    private sealed class Entry
    {
        /// <summary>Everything up to here was delivered (or dead-lettered) to the consumer.</summary>
        public long Delivered;

        /// <summary>What the log holds (as far as this silo wrote or read it).</summary>
        public long Stored;
    }
}
