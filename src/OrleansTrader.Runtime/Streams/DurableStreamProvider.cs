using System.Buffers;
using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Data.Common;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace OrleansTrader.Runtime;

/// <summary>
/// A durable stream provider over an <see cref="IDurableStreamLog"/>: events are appended before OnNextAsync completes;
/// each consumer (a subscribing grain, keyed by its grain id, or a client subscription) reads its stream from its own
/// checkpoint in order, at least once. A delivery that keeps failing is retried with backoff, then written as a
/// <see cref="DeadLetter"/> and the consumer moves on; nothing is skipped silently. After a restart, consumers resume
/// from their checkpoints; a subscription with a token rewinds. An explicit subscription of a grain (one that is not an
/// implicit subscriber of the stream's namespace) is stored in the log: it outlives the activation and the silo, an event
/// activates the subscriber, and the subscriber re-attaches its observer with GetAllSubscriptionHandles and ResumeAsync.
/// Every <see cref="DurableStreamOptions.TrimInterval"/> the log is trimmed of acknowledged events older than
/// <see cref="DurableStreamOptions.Retention"/>.
/// </summary>
public sealed partial class DurableStreamProvider : IStreamProvider, IStreamProviderInternal
{
    private const int PublishBufferSize = 4096;
    private const int PublishBufferLimit = 1 << 20;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_publishBuffer;

    private readonly GrainRuntime _runtime;
    private static readonly TimeSpan MinimumRestartDelay = TimeSpan.FromMilliseconds(50);
    private readonly Dictionary<(StreamId StreamId, string ConsumerId), DurableCursor> _cursors = [];

    // Rewinds no cursor holds (asked while the consumer had none, or handed over by a failed one): the consumer's next
    // cursor takes its own, and a graceful stop stores what is left, so none is lost to a stop before a cursor runs.
    private readonly Dictionary<(StreamId StreamId, string ConsumerId), long> _rewinds = [];
    private readonly Dictionary<string, long> _namespacePositions = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly DurableStreamLag _lag = new();
    private readonly ConcurrentDictionary<StreamId, ResolvedConsumers> _resolved = new();
    private readonly FrozenSet<Type> _immutableTypes;
    private readonly KeyValuePair<string, object?> _providerTag;
    private ITimer? _pollTimer;
    private int _scanning;
    private volatile bool _crashed;

    internal DurableStreamProvider(GrainRuntime runtime, string name, DurableStreamOptions options, IDurableStreamLog log, Meter meter)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxDeliveryAttempts, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.RetryDelay, TimeSpan.Zero, nameof(options));

        // A timer waits at most 0xFFFFFFFE ms: a longer first retry wait would throw in the cursor on the first failure.
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.RetryDelay, TimeSpan.FromMilliseconds(uint.MaxValue - 1), nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ReadBatchSize, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.CheckpointMaxUnflushedEvents, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.TailEventsPerStream, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.TailMaxBytes, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.Retention, TimeSpan.Zero, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.TrimInterval, TimeSpan.Zero, nameof(options));
        _runtime = runtime;
        Name = name;
        Options = options;
        _providerTag = new KeyValuePair<string, object?>("provider", name);
        var deadLettered = meter.CreateCounter<long>(
            "orleanstrader.streams.dead_lettered", "{event}", "Durable stream events written to the dead-letter table after the consumer failed every delivery attempt.");
        _trimmedUnread = meter.CreateCounter<long>(
            "orleanstrader.streams.trimmed_unread",
            "{event}",
            "Durable stream events a reader started after without delivering them because retention had already trimmed them "
            + "(reason: rewind, checkpoint, or new_consumer).");
        meter.CreateObservableGauge(
            "orleanstrader.streams.lag",
            ObserveLag,
            "{event}",
            "Durable stream events not yet checkpointed by their consumers (newest sequence known to this silo minus the consumer's checkpoint), "
            + "summed per provider and stream namespace over the consumers delivering on this silo; 0 once they have caught up.");
        Log = new MeteredDurableStreamLog(log, name, _lag, deadLettered);
        Checkpoints = new DurableCheckpoints(this, _lag);
        Tails = new DurableStreamTails(options.TailEventsPerStream, options.TailMaxBytes);
        meter.CreateObservableGauge(
            "orleanstrader.streams.tail_bytes",
            () => new Measurement<long>(Tails.Bytes, _providerTag),
            "By",
            "Payload bytes of recently appended durable stream events kept in memory so caught-up consumers need no log read.");
        Subscriptions = new StreamSubscriptionRegistry();
        Serializer = runtime.Serializer;
        _immutableTypes = runtime.Services.GetServices<ImmutableTypeRegistration>().Select(r => r.Type).ToFrozenSet();
        _logger = runtime.Services.GetService<ILogger<DurableStreamProvider>>() ?? NullLogger<DurableStreamProvider>.Instance;
    }

    public string Name { get; }

    public bool IsRewindable => true;

    /// <summary>The log behind this provider (for dead letters and diagnostics).</summary>
    public IDurableStreamLog Log { get; }

    internal DurableStreamOptions Options { get; }

    /// <summary>Consumer checkpoints, remembered and written in coalesced batches.</summary>
    internal DurableCheckpoints Checkpoints { get; }

    /// <summary>Known stream heads and recently appended events.</summary>
    internal DurableStreamTails Tails { get; }

    internal GrainRuntime Runtime => _runtime;

    GrainRuntime IStreamProviderInternal.Runtime => _runtime;

    internal CancellationToken StoppingToken => _stopping.Token;

    internal StreamSubscriptionRegistry Subscriptions { get; }

    StreamSubscriptionRegistry IStreamProviderInternal.Subscriptions => Subscriptions;

    internal IGrainStateSerializer Serializer { get; }

    IGrainStateSerializer IStreamProviderInternal.Serializer => Serializer;

    public IAsyncStream<T> GetStream<T>(StreamId streamId) => new ProviderAsyncStream<T>(this, streamId, IsRewindable, PublishAsync);

    internal async Task StartAsync(CancellationToken cancellationToken)
    {
        await Log.InitializeAsync(cancellationToken);
        foreach (var subscription in await Log.ReadSubscriptionsAsync(cancellationToken))
        {
            _stored.Add(subscription);
        }

        _pollTimer = _runtime.TimeProvider.CreateTimer(
            static s => ((DurableStreamProvider)s!).StartScan(), this, Options.PollInterval, Options.PollInterval);
        StartScan();
        StartTrimTimer();
    }

    /// <summary>
    /// A crash: stops reading and delivering at once; deliveries interrupted by it are left for the next silo, and
    /// checkpoints not flushed yet are abandoned (their events are redelivered after the restart).
    /// </summary>
    internal void Cancel()
    {
        _crashed = true;
        CancelDelivery();
    }

    /// <summary>Cursors take no new events and stop retrying: a delivery that fails from here on is left for the next silo.</summary>
    internal void CancelDelivery()
    {
        _pollTimer?.Dispose();
        _trimTimer?.Dispose();
        if (!_stopping.IsCancellationRequested)
        {
            _stopping.Cancel();
        }
    }

    /// <summary>Graceful stop: once the cursors are done, the progress they made is flushed so a restart does not redeliver it.</summary>
    internal async Task StopAsync()
    {
        CancelDelivery();

        DurableCursor[] cursors;
        lock (_lock)
        {
            cursors = [.. _cursors.Values];
        }

        foreach (var cursor in cursors)
        {
            await cursor.Completion;
        }

        // The cursors are done: a rewind asked of one that it did not apply, or waiting for a cursor (one whose reset failed
        // waits out the restart pause), is stored below, and one asked for from now on (a grain's last turns or
        // OnDeactivateAsync) finds no cursor and is written by RewindAsync itself.
        Dictionary<(StreamId StreamId, string ConsumerId), long> rewinds;

        // A cursor the stop ended before it retired leaves the checkpoint of a consumer left without subscription (an
        // unsubscribe that found it running left that to it) for the stop to remove.
        var gone = new List<DurableCursor>();
        lock (_lock)
        {
            rewinds = new(_rewinds);
            _rewinds.Clear();
            foreach (var cursor in cursors)
            {
                Unregister(cursor);
                var rewind = cursor.TakeRewind();
                if (!cursor.Consumer.IsImplicit && !IsSubscribed(cursor.StreamId, cursor.Consumer))
                {
                    rewinds.Remove((cursor.StreamId, cursor.Consumer.ConsumerId));
                    gone.Add(cursor);
                }
                else if (rewind is { } checkpoint)
                {
                    rewinds[(cursor.StreamId, cursor.Consumer.ConsumerId)] = checkpoint;
                }
            }
        }

        if (_crashed)
        {
            return;
        }

        foreach (var cursor in gone)
        {
            await ForgetConsumerAsync(cursor.StreamId, cursor.Consumer.ConsumerId);
        }

        try
        {
            foreach (var ((streamId, consumerId), checkpoint) in rewinds)
            {
                await Checkpoints.ResetAsync(streamId, consumerId, checkpoint, CancellationToken.None);
            }

            await Checkpoints.FlushAsync(CancellationToken.None);
        }
        catch (Exception ex)
        {
            // Progress not stored is redelivered after the restart (at least once); the stop itself goes on.
            _runtime.LogStreamAgentFailed(ex, "checkpoints", Name);
        }
    }

    async Task IStreamProviderInternal.RewindAsync(IActivationStreamSubscription subscription, StreamSequenceToken token)
    {
        var consumerId = StreamConsumer.IdOf(subscription);
        var checkpoint = Math.Max(0, token.SequenceNumber - 1);
        bool stopping;
        lock (_lock)
        {
            if (_cursors.TryGetValue((subscription.StreamId, consumerId), out var running))
            {
                running.RequestRewind(checkpoint);
                return;
            }

            // Checked under the lock a stop collects the waiting rewinds under, so one kept here is stored by the stop. Kept
            // only when the consumer has a cursor to come (a handle already unsubscribed has none; checked under the lock an
            // unsubscribe drops waiting rewinds under): stored by a stop, it would hold the stream's retention back forever.
            stopping = _stopping.IsCancellationRequested;
            if (!stopping && Array.Exists(ConsumersOf(subscription.StreamId), c => c.ConsumerId == consumerId))
            {
                _rewinds[(subscription.StreamId, consumerId)] = checkpoint;
            }
        }

        if (!stopping)
        {
            // The consumer's cursor applies it (started here): a cursor an append started while the reset was written
            // outside it went on from the checkpoint it had read before, and the rewind was lost.
            Notify(subscription.StreamId, 0);
            return;
        }

        // Like appends and subscription writes, not cut by a graceful stop: a rewind asked for in a grain's last turns or
        // OnDeactivateAsync is stored, and the next silo delivers from it.
        await Checkpoints.ResetAsync(subscription.StreamId, consumerId, checkpoint, CancellationToken.None);
    }

    /// <summary>Whether a cursor of the consumer is registered (tests wait for one to retire).</summary>
    internal bool HasCursor(StreamId streamId, string consumerId)
    {
        lock (_lock)
        {
            return _cursors.ContainsKey((streamId, consumerId));
        }
    }

    /// <summary>
    /// Starts (or wakes) the cursor of every consumer of the stream; <paramref name="head"/> is its newest known sequence (0: unknown).
    /// A consumer's waiting rewind goes to its cursor, applied before it reads.
    /// </summary>
    internal void Notify(StreamId streamId, long head)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        // Before any wake: a woken cursor must see the new head, or it could retire as caught up.
        Tails.ObserveHead(streamId, head);

        foreach (var consumer in ConsumersOf(streamId))
        {
            DurableCursor? started = null;
            lock (_lock)
            {
                if (_stopping.IsCancellationRequested)
                {
                    // A cursor started now would escape the stop's wait (and a waiting rewind is stored by the stop).
                    return;
                }

                var key = (streamId, consumer.ConsumerId);
                var cursor = _cursors.GetValueOrDefault(key);
                if (cursor is null)
                {
                    cursor = started = new DurableCursor(this, streamId, consumer);
                    _cursors[key] = started;
                    _lag.Track(streamId, consumer.ConsumerId);
                }

                if (_rewinds.Remove(key, out var rewind))
                {
                    cursor.RequestRewind(rewind);
                }
                else if (started is null)
                {
                    cursor.Wake();
                }
            }

            started?.Start();
        }

        _lag.ObserveHead(streamId, head);
    }

    /// <summary>The subscriptions the cache of resolved consumers holds on to (tests check that no deactivated grain's stays).</summary>
    internal IEnumerable<IActivationStreamSubscription> SubscriptionsHeldByConsumerCache() =>
        _resolved.Values.SelectMany(resolved => resolved.Held);

    /// <summary>
    /// The consumers of a stream, resolved again only when its live or stored subscriptions change: the stored array is
    /// copy-on-write, so a different array means a change, and the live ones are told by their handle ids. One entry per
    /// stream notified on this silo, like its tail's head.
    /// </summary>
    private StreamConsumer[] ConsumersOf(StreamId streamId)
    {
        var live = Subscriptions.Get(streamId);
        var stored = _stored.Get(streamId);
        if (_resolved.TryGetValue(streamId, out var resolved) && resolved.IsFrom(live, stored))
        {
            return resolved.Consumers;
        }

        var consumers = StreamConsumer.Resolve(_runtime, live, streamId, stored).ToArray();
        _resolved[streamId] = new ResolvedConsumers(live, stored, consumers);
        return consumers;
    }

    /// <summary>
    /// Called by a cursor that found nothing to read: it stops unless it was woken meanwhile. <paramref name="gone"/>: the
    /// cursor's consumer is an explicit one left without any subscription (decided under the lock an unsubscribe checks
    /// for a running cursor, so exactly one of them removes its checkpoint).
    /// </summary>
    internal bool TryRetire(DurableCursor cursor, out bool gone)
    {
        lock (_lock)
        {
            gone = false;
            if (cursor.ConsumeWake())
            {
                return false;
            }

            Unregister(cursor);
            gone = !cursor.Consumer.IsImplicit && !IsSubscribed(cursor.StreamId, cursor.Consumer);
            if (gone)
            {
                _rewinds.Remove((cursor.StreamId, cursor.Consumer.ConsumerId));
            }

            return true;
        }
    }

    /// <summary>
    /// Called by a cursor that failed: it leaves even when it was woken meanwhile (a dead cursor left registered would only
    /// be woken, never run, and its consumer would stall). A fresh cursor starts from the checkpoint: at once when events
    /// arrived meanwhile, else after a pause so a failing store is not hammered. Returns true instead when the consumer is
    /// an explicit one left without any subscription: no cursor takes over, so its checkpoint is the caller's to remove
    /// (an unsubscribe that found this cursor running left that to it).
    /// </summary>
    internal bool Restart(DurableCursor cursor)
    {
        bool woken;
        lock (_lock)
        {
            Unregister(cursor);
            woken = cursor.ConsumeWake();
            if (!cursor.Consumer.IsImplicit && !IsSubscribed(cursor.StreamId, cursor.Consumer))
            {
                _rewinds.Remove((cursor.StreamId, cursor.Consumer.ConsumerId));
                return true;
            }

            // A rewind asked of this cursor (which also woke it) goes to the next one; dropped, the consumer went on from its
            // checkpoint as if the subscriber had never asked. Kept here, not with the pause: a stop meanwhile stores it.
            if (cursor.TakeRewind() is { } rewind)
            {
                _rewinds[(cursor.StreamId, cursor.Consumer.ConsumerId)] = rewind;
            }
        }

        if (woken)
        {
            Notify(cursor.StreamId, 0);
            return false;
        }

        var pause = Options.RetryDelay > MinimumRestartDelay ? Options.RetryDelay : MinimumRestartDelay;
        _ = BackgroundWork.Start(async () =>
        {
            try
            {
                await Task.Delay(pause, _runtime.TimeProvider, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            Notify(cursor.StreamId, 0);
        });
        return false;
    }

    /// <summary>Removes the cursor from the registry and the lag gauge if it is still the registered one; the caller holds the lock.</summary>
    private void Unregister(DurableCursor cursor)
    {
        var key = (cursor.StreamId, cursor.Consumer.ConsumerId);
        if (_cursors.TryGetValue(key, out var registered) && ReferenceEquals(registered, cursor))
        {
            _cursors.Remove(key);
            _lag.Untrack(cursor.StreamId, cursor.Consumer.ConsumerId);
        }
    }

    private async Task PublishAsync<T>(StreamId streamId, IEnumerable<T> items)
    {
        // A log that copies the payloads during the append (the memory log) gets them in one reused buffer; any other log
        // keeps what it is given (in its returned events, which the tails hold), so it gets an array per event.
        var buffer = Log.CopiesPayloads ? TakePublishBuffer() : null;
        try
        {
            // A list always (ProviderAsyncStream passes one), walked by index: a foreach over IEnumerable<T> boxed its
            // enumerator on every publish. The lists are sized to the batch (usually one event on the order path), not
            // grown from empty to an array of four.
            var batch = items as IReadOnlyList<T> ?? [.. items];
            var payloads = new List<ReadOnlyMemory<byte>>(batch.Count);
            var published = _immutableTypes.Contains(typeof(T)) ? new List<object?>(batch.Count) : null;
            for (var i = 0; i < batch.Count; i++)
            {
                var item = batch[i];
                if (buffer is null)
                {
                    payloads.Add(Serializer.Serialize(item));
                }
                else
                {
                    // An earlier slice stays valid when the buffer grows: the writer moves to a new array and leaves the old one as it was.
                    var start = buffer.WrittenCount;
                    Serializer.Serialize(item, buffer);
                    payloads.Add(buffer.WrittenMemory[start..]);
                }

                published?.Add(item);
            }

            if (payloads.Count == 0)
            {
                return;
            }

            // Not the stopping token: a graceful stop still runs turns and OnDeactivateAsync, and what they publish is stored
            // for the next silo (only delivery stops); a SQL log failed every such append once the stop had begun.
            var appended = await Log.AppendAsync(streamId, payloads, _runtime.TimeProvider.GetUtcNow(), CancellationToken.None);
            Tails.Appended(streamId, appended, published);
            Notify(streamId, appended.Count > 0 ? appended[^1].Sequence : 0);
        }
        finally
        {
            if (buffer is not null)
            {
                ReturnPublishBuffer(buffer);
            }
        }
    }

    /// <summary>The calling thread's publish buffer, taken so that a publish awaiting its append never shares it.</summary>
    private static ArrayBufferWriter<byte> TakePublishBuffer()
    {
        var buffer = t_publishBuffer ?? new ArrayBufferWriter<byte>(PublishBufferSize);
        t_publishBuffer = null;
        return buffer;
    }

    /// <summary>Kept for the next publish on this thread (which may not be the one that took it), unless one huge batch grew it.</summary>
    private static void ReturnPublishBuffer(ArrayBufferWriter<byte> buffer)
    {
        if (buffer.Capacity <= PublishBufferLimit)
        {
            buffer.ResetWrittenCount();
            t_publishBuffer = buffer;
        }
    }

    private IEnumerable<Measurement<long>> ObserveLag()
    {
        var byNamespace = _lag.ByNamespace();
        var measurements = new Measurement<long>[byNamespace.Length];
        for (var i = 0; i < byNamespace.Length; i++)
        {
            measurements[i] = new Measurement<long>(byNamespace[i].Value, _providerTag, new KeyValuePair<string, object?>("namespace", byNamespace[i].Key));
        }

        return measurements;
    }

    /// <summary>
    /// Finds streams with implicit subscribers or stored subscriptions that have events (at start, and periodically for
    /// events appended by other silos).
    /// </summary>
    private void StartScan()
    {
        if (_stopping.IsCancellationRequested || Interlocked.Exchange(ref _scanning, 1) != 0)
        {
            return;
        }

        _ = BackgroundWork.Start(ScanAsync);
    }

    private async Task ScanAsync()
    {
        try
        {
            var namespaces = _runtime.Registry.Classes.SelectMany(c => c.ImplicitStreamNamespaces).Concat(_stored.Namespaces);
            foreach (var streamNamespace in namespaces.Distinct(StringComparer.Ordinal).ToArray())
            {
                await ScanNamespaceAsync(streamNamespace);
            }
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            return;
        }
        catch (DbException ex) when (DroppedConnection(ex))
        {
            // The next scan, a poll interval away, reads again over a new connection and finds what this one missed.
            _runtime.LogStreamScanConnectionDropped("*", Name, ex.Message);
        }
        catch (Exception ex)
        {
            _runtime.LogStreamAgentFailed(ex, "*", Name);
        }
        finally
        {
            Volatile.Write(ref _scanning, 0);
        }
    }

    /// <summary>
    /// A failure of the connection rather than of the statement: the driver calls it transient (a broken socket), or the
    /// server said why it ended the session (SQLSTATE class 08, connection exception; 57P, the server or an administrator
    /// ended it: pg_terminate_backend of an idle pooled connection is 57P01).
    /// </summary>
    internal static bool DroppedConnection(Exception exception) =>
        exception is DbException dbException && DroppedConnection(dbException);

    internal static bool DroppedConnection(DbException exception) =>
        exception.IsTransient
        || (exception.SqlState is { } state && (state.StartsWith("08", StringComparison.Ordinal) || state.StartsWith("57P", StringComparison.Ordinal)));

    private async Task ScanNamespaceAsync(string streamNamespace)
    {
        long position;
        lock (_lock)
        {
            position = _namespacePositions.GetValueOrDefault(streamNamespace);
        }

        while (true)
        {
            var events = await Log.ReadNamespaceAsync(streamNamespace, position, Options.ReadBatchSize, _stopping.Token);
            if (events.Count == 0)
            {
                break;
            }

            foreach (var stream in events.GroupBy(e => e.StreamId))
            {
                Notify(stream.Key, stream.Max(e => e.Sequence));
            }

            position = events[^1].Position;
        }

        lock (_lock)
        {
            _namespacePositions[streamNamespace] = position;
        }
    }

    /// <summary>
    /// A stream's consumers as resolved from its live and stored subscriptions; the live ones are remembered by their handle
    /// ids (<see cref="StreamConsumer.HandlesOf"/>), so no deactivated grain's subscription is kept here.
    /// </summary>
    private sealed class ResolvedConsumers(IActivationStreamSubscription[] live, StoredStreamSubscription[] stored, StreamConsumer[] consumers)
    {
        private readonly Guid[] _live = StreamConsumer.HandlesOf(live);
        private readonly StoredStreamSubscription[] _stored = stored;

        public StreamConsumer[] Consumers { get; } = consumers;

        /// <summary>Client subscriptions, which the consumers deliver to directly.</summary>
        public IEnumerable<IActivationStreamSubscription> Held => Consumers.Select(c => c.ClientSubscription).OfType<IActivationStreamSubscription>();

        /// <summary>Whether these are the consumers of exactly these subscriptions (the stored array is copy-on-write too).</summary>
        public bool IsFrom(IActivationStreamSubscription[] live, StoredStreamSubscription[] stored) =>
            ReferenceEquals(stored, _stored) && StreamConsumer.SameHandles(_live, live);
    }
}
