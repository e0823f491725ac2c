namespace OrleansTrader.Runtime;

/// <summary>
/// Reads one stream for one consumer from its checkpoint and delivers in order. Runs while there is something to read,
/// then retires; a new append wakes or restarts it. The checkpoint comes from the provider's memory when known, the
/// next events from the provider's tail when it holds them, and "nothing newer" from the provider's known head: a
/// caught-up consumer woken by an append here costs no log read.
/// </summary>
internal sealed class DurableCursor(DurableStreamProvider provider, StreamId streamId, StreamConsumer consumer)
{
    private readonly Lock _lock = new();
    private bool _woken;
    private long? _rewindTo;
    private Task _completion = Task.CompletedTask;

    public StreamId StreamId { get; } = streamId;

    public StreamConsumer Consumer { get; } = consumer;

    public Task Completion => _completion;

    public void Start() => _completion = BackgroundWork.Start(RunAsync);

    public void Wake()
    {
        lock (_lock)
        {
            _woken = true;
        }
    }

    public bool ConsumeWake()
    {
        lock (_lock)
        {
            var woken = _woken;
            _woken = false;
            return woken;
        }
    }

    public void RequestRewind(long checkpoint)
    {
        lock (_lock)
        {
            _rewindTo = checkpoint;
            _woken = true;
        }
    }

    /// <summary>Takes the rewind not applied yet (a failed cursor hands it to the one that takes over).</summary>
    public long? TakeRewind()
    {
        lock (_lock)
        {
            var rewind = _rewindTo;
            _rewindTo = null;
            return rewind;
        }
    }

    private async Task RunAsync()
    {
        var log = provider.Log;
        var cancellationToken = provider.StoppingToken;
        try
        {
            var checkpoints = provider.Checkpoints;
            var tails = provider.Tails;
            var batchSize = provider.Options.ReadBatchSize;
            var checkpoint = await checkpoints.GetAsync(StreamId, Consumer.ConsumerId, cancellationToken);

            // Where the next read starts from, checked once per start: a hole after it is events retention trimmed.
            TrimmedStart? start = checkpoint == 0 ? TrimmedStart.NewConsumer : TrimmedStart.Checkpoint;
            while (!cancellationToken.IsCancellationRequested)
            {
                if (await ApplyRewindAsync(cancellationToken) is { } rewound)
                {
                    checkpoint = rewound;
                    start = TrimmedStart.Rewind;
                }

                var events = tails.TryRead(StreamId, checkpoint, batchSize);
                if (events is null)
                {
                    // Taken before the read: a head known then was appended before it, so a read that finds nothing up to
                    // it found those events trimmed (not appended after the read).
                    var knownHead = start is null ? 0 : tails.KnownHead(StreamId);
                    events = await log.ReadStreamAsync(StreamId, checkpoint, batchSize, cancellationToken);
                    tails.ObserveRead(StreamId, checkpoint, events, batchSize);
                    if (start is { } reason)
                    {
                        var firstRetained = events.Count > 0 ? events[0].Sequence : knownHead + 1;
                        provider.ReportTrimmedStart(StreamId, Consumer.ConsumerId, checkpoint, firstRetained, reason);

                        // Nothing retained to read: the checkpoint moves past the trimmed events, or the reader that the next
                        // event starts (this one retires) reported the same trimmed start again.
                        if (events.Count == 0 && firstRetained - 1 > checkpoint)
                        {
                            checkpoint = firstRetained - 1;
                            await checkpoints.AdvanceAsync(StreamId, Consumer.ConsumerId, checkpoint, flushNow: false, CancellationToken.None);
                        }
                    }
                }

                start = null;

                if (events.Count == 0)
                {
                    if (provider.TryRetire(this, out var gone))
                    {
                        await ForgetIfGoneAsync(gone);
                        return;
                    }

                    continue;
                }

                var previous = checkpoint;

                // A grain consumer takes what was read in one turn; from the first event that failed, the events go one by
                // one, that event with the batch's failure as its first attempt.
                var (next, failure) = Consumer.Grain is { } grainId && events.Count > 1 && IsStillSubscribed()
                    ? await DeliverBatchAsync(grainId, events, cancellationToken)
                    : (0, null);
                for (var i = 0; i < next; i++)
                {
                    checkpoint = events[i].Sequence;
                    if (!checkpoints.WritesThrough)
                    {
                        await checkpoints.AdvanceAsync(StreamId, Consumer.ConsumerId, checkpoint, flushNow: false, CancellationToken.None);
                    }
                }

                for (var i = next; i < events.Count; i++)
                {
                    var storedEvent = events[i];
                    if (_rewindTo is not null || cancellationToken.IsCancellationRequested || !IsStillSubscribed())
                    {
                        break;
                    }

                    DeliveryOutcome outcome;
                    try
                    {
                        outcome = await DeliverWithRetryAsync(storedEvent, i == next ? failure : null, cancellationToken);
                    }
                    catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                    {
                        // Cut short by a stop (mid-retry): this event is left for the next silo, but what was handled before
                        // it is still recorded below, or a written-through checkpoint would lose it and a restart redeliver it.
                        break;
                    }

                    if (outcome == DeliveryOutcome.Left)
                    {
                        // Unsubscribed while its event was retried: not its failure to record, and its checkpoint goes with it.
                        break;
                    }

                    var handled = outcome == DeliveryOutcome.Delivered;
                    checkpoint = storedEvent.Sequence;

                    // Coalesced checkpoints move in memory per event, so the flush bound counts single events. A dead letter
                    // is stored at once: redelivering it would retry the failing consumer all over again.
                    if (!checkpoints.WritesThrough || !handled)
                    {
                        await checkpoints.AdvanceAsync(StreamId, Consumer.ConsumerId, checkpoint, flushNow: !handled, CancellationToken.None);
                    }
                }

                // Progress made before a stop request is still recorded (a graceful stop flushes it), so a restart does not
                // redeliver it; leaving the stream (unsubscribed) stores it at once.
                var subscribed = IsStillSubscribed();
                if (checkpoint != previous && (checkpoints.WritesThrough || !subscribed))
                {
                    await checkpoints.AdvanceAsync(StreamId, Consumer.ConsumerId, checkpoint, flushNow: !subscribed, CancellationToken.None);
                }

                if (!subscribed && provider.TryRetire(this, out var left))
                {
                    await ForgetIfGoneAsync(left);
                    return;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return;
        }
        catch (Exception ex) when (DurableStreamProvider.DroppedConnection(ex))
        {
            // PostgreSQL ended a pooled session (or its socket broke): the restarted cursor reads over a new connection
            // from the checkpoint kept in memory, which moved only with what was stored or delivered, so nothing is lost.
            provider.Runtime.LogStreamCursorConnectionDropped(StreamId.ToString(), provider.Name, ex.Message);
            await ForgetIfGoneAsync(provider.Restart(this));
        }
        catch (Exception ex)
        {
            provider.Runtime.LogStreamAgentFailed(ex, StreamId.ToString(), provider.Name);
            await ForgetIfGoneAsync(provider.Restart(this));
        }
    }

    /// <summary>The checkpoint of a consumer left without subscription goes with its last cursor (it would hold retention back forever).</summary>
    private Task ForgetIfGoneAsync(bool gone) =>
        gone ? provider.ForgetConsumerAsync(StreamId, Consumer.ConsumerId) : Task.CompletedTask;

    // A ValueTask: nearly every call has no rewind and returns at once, without a task per delivered batch.
    // Returns the checkpoint rewound to, or null when no rewind was waiting.
    private async ValueTask<long?> ApplyRewindAsync(CancellationToken cancellationToken)
    {
        long? rewind;
        lock (_lock)
        {
            rewind = _rewindTo;
            _rewindTo = null;
        }

        if (rewind is not { } target)
        {
            return null;
        }

        try
        {
            await provider.Checkpoints.ResetAsync(StreamId, Consumer.ConsumerId, target, cancellationToken);
        }
        catch
        {
            // Not stored (the reset failed, or the silo is stopping): kept for the cursor that takes over, or for the stop.
            // The wake that came with it is spent, so a store that keeps failing is retried after a pause, not in a loop.
            lock (_lock)
            {
                _rewindTo ??= target;
                _woken = false;
            }

            throw;
        }

        return target;
    }

    /// <summary>Implicit consumers always are; explicit ones only while some subscription of theirs exists.</summary>
    private bool IsStillSubscribed() => Consumer.IsImplicit || provider.IsSubscribed(StreamId, Consumer);

    /// <summary>
    /// Delivers the events to the grain in one turn. Returns how many it took, and when that is not all of them, why the
    /// next one failed (none when the batch was not sent: a rewind is waiting or the silo is stopping).
    /// </summary>
    private async Task<(int Delivered, Exception? Failure)> DeliverBatchAsync(
        GrainId grainId, IReadOnlyList<StoredStreamEvent> events, CancellationToken cancellationToken)
    {
        var published = new object?[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            published[i] = provider.Tails.TryGetPublished(StreamId, events[i].Sequence);
        }

        while (_rewindTo is null && !cancellationToken.IsCancellationRequested)
        {
            var request = new DurableStreamBatchDeliveryRequest(provider.Name, StreamId, events, published);
            try
            {
                if (await SendToGrainAsync(grainId, request, cancellationToken))
                {
                    return (events.Count, null);
                }
            }
            catch (Exception ex)
            {
                // Whatever the batch took is progress, also when the silo is stopping (the loop then stops before the rest).
                return (request.Delivered, ex);
            }
        }

        return (0, null);
    }

    /// <summary>
    /// Sends a delivery and waits for its outcome: true once its turn took it, false when it timed out still queued behind
    /// the grain's other work (withdrawn: nothing ran, and the grain did not fail, so it is sent again and no attempt is
    /// spent); throws what the turn threw.
    /// </summary>
    private async ValueTask<bool> SendToGrainAsync(GrainId grainId, DurableDeliveryRequest request, CancellationToken cancellationToken)
    {
        provider.Runtime.SendFromRuntime(grainId, request);
        try
        {
            await request.AsValueTask();
            return true;
        }
        catch (TimeoutException) when (request.TimedOut && !cancellationToken.IsCancellationRequested)
        {
            // The timeout ends the call, not the turn: a turn still running is slow, not failed. Sent again, the events
            // would queue behind it and reach the subscriber twice, and count an attempt against events it may yet take.
            return await request.WhenTurnEndsAsync(cancellationToken);
        }
    }

    /// <summary>The longest wait between retries: an hour, or the configured first wait when that is longer.</summary>
    private static TimeSpan MaxRetryDelay(DurableStreamOptions options) =>
        options.RetryDelay > TimeSpan.FromHours(1) ? options.RetryDelay : TimeSpan.FromHours(1);

    /// <summary>
    /// Delivers the event; <see cref="DeliveryOutcome.DeadLettered"/> when every attempt failed and it was dead-lettered
    /// instead, <see cref="DeliveryOutcome.Left"/> when the consumer unsubscribed while it failed (no further attempt
    /// reaches a handle that is gone). <paramref name="firstFailure"/>: the event already failed once (in a batch), which
    /// counts as its first attempt.
    /// </summary>
    private async Task<DeliveryOutcome> DeliverWithRetryAsync(StoredStreamEvent storedEvent, Exception? firstFailure, CancellationToken cancellationToken)
    {
        var options = provider.Options;
        var runtime = provider.Runtime;
        var token = new StreamSequenceToken(storedEvent.Sequence);
        var published = provider.Tails.TryGetPublished(StreamId, storedEvent.Sequence);
        var delay = options.RetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            var failure = attempt == 1 ? firstFailure : null;
            if (failure is null)
            {
                try
                {
                    if (Consumer.Grain is { } grainId)
                    {
                        while (!await SendToGrainAsync(
                            grainId, new StreamDeliveryRequest(provider.Name, StreamId, null, storedEvent.Payload, token, published), cancellationToken))
                        {
                        }
                    }
                    else
                    {
                        await Consumer.ClientSubscription!.DeliverPayloadAsync(storedEvent.Payload, published, token);
                    }

                    return DeliveryOutcome.Delivered;
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    failure = ex;
                }
            }

            // A delivery cut short by the silo stopping is not the consumer's failure: leave it for the next silo.
            cancellationToken.ThrowIfCancellationRequested();
            runtime.LogStreamDeliveryFailed(failure, StreamId, storedEvent.Sequence, Consumer.ConsumerId, attempt);

            // Checked after each failure and each retry wait: the retries ran on against an unsubscribed handle (a client
            // observer called after UnsubscribeAsync returned) and ended in a dead letter for a consumer that was gone.
            if (!IsStillSubscribed())
            {
                return DeliveryOutcome.Left;
            }

            if (attempt >= options.MaxDeliveryAttempts)
            {
                await provider.Log.WriteDeadLetterAsync(
                    new DeadLetter(StreamId, Consumer.ConsumerId, storedEvent.Sequence, storedEvent.Payload, attempt, failure.ToString(), runtime.TimeProvider.GetUtcNow()),
                    cancellationToken);
                runtime.LogStreamDeadLettered(StreamId, storedEvent.Sequence, Consumer.ConsumerId, attempt);
                return DeliveryOutcome.DeadLettered;
            }

            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, runtime.TimeProvider, cancellationToken);

                // Doubling without a ceiling passed what a timer can wait (about 49.7 days) on a long enough run of attempts:
                // the wait threw, the cursor restarted with its attempts at zero, and the event was never dead-lettered.
                delay = delay >= MaxRetryDelay(options) / 2 ? MaxRetryDelay(options) : delay + delay;
                if (!IsStillSubscribed())
                {
                    return DeliveryOutcome.Left;
                }
            }
        }
    }

    private enum DeliveryOutcome
    {
        Delivered,
        DeadLettered,
        Left,
    }
}
