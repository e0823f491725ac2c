using Microsoft.Extensions.Logging;

namespace OrleansTrader.Runtime;

/// <summary>
/// One activation: the grain instance and its mailbox. Requests run one at a time (a turn lasts until the request's
/// task completes, across awaits) unless the class is reentrant or the request may interleave. Scheduling state is
/// guarded by one uncontended lock; the mailbox runs as a thread-pool work item only while it has work.
/// </summary>
internal sealed partial class ActivationData : IThreadPoolWorkItem
{
    [ThreadStatic]
    private static ActivationData? t_constructing;

    private readonly Lock _lock = new();
    private readonly Queue<Message> _waiting = new();
    private readonly GrainClassInfo _class;
    private readonly TaskCompletionSource _deactivated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<IActivationStateLoader> _stateLoaders = [];
    private Queue<Message>? _interleaving;
    private Message? _runningFirst;
    private List<Message>? _runningMore;
    private int _runningCount;

    // The running turns that hold up a request that does not interleave (all but [AlwaysInterleave] calls and interleaving
    // timer ticks), and the read-only ones among them: as in Orleans, a running interleaving turn holds up nothing.
    private int _blockingCount;
    private int _blockingReadOnlyCount;
    private ActivationState _state;
    private bool _pumpScheduled;
    private DeactivationReason? _pendingDeactivation;
    private long _lastActivity;
    private long _keepAliveUntil;
    private object? _grain;
    private List<IActivationTimer>? _timers;
    private List<IActivationStreamSubscription>? _subscriptions;

    /// <summary>Cancels the activation code's token (timeout, deactivation requested, silo killed); null once activated.</summary>
    private CancellationTokenSource? _activationCancellation;

    public ActivationData(GrainId grainId, GrainRuntime runtime)
    {
        GrainId = grainId;
        Runtime = runtime;
        _class = runtime.Registry.GetClass(grainId.Type);
        _lastActivity = runtime.TimeProvider.GetTimestamp();
    }

    /// <summary>The activation whose grain constructor is running on this thread (read by the Grain base constructor).</summary>
    public static ActivationData? Constructing => t_constructing;

    public GrainId GrainId { get; }

    public GrainRuntime Runtime { get; }

    public GrainClassInfo Class => _class;

    public object? GrainInstance => _grain;

    /// <summary>Completes when the activation is gone (deactivated, failed or killed).</summary>
    public Task Deactivated => _deactivated.Task;

    internal ActivationState State
    {
        get
        {
            lock (_lock)
            {
                return _state;
            }
        }
    }

    /// <summary>Queues a message. False when this activation is gone and the caller must look up a new one.</summary>
    public bool TryEnqueue(Message message)
    {
        var startActivation = false;
        var schedule = false;
        Exception? rejected = null;
        lock (_lock)
        {
            if (_state == ActivationState.Invalid)
            {
                return false;
            }

            message.CurrentActivation = this;
            var options = message.Request.Options;
            var interleave = (options & GrainRequestOptions.AlwaysInterleave) != 0;
            if (message.CallChain is { } chain && _class.DetectsCallCycles && !interleave && chain.Contains(GrainId))
            {
                if (_runningCount > 0 && MayRunBeside((options & GrainRequestOptions.ReadOnly) != 0))
                {
                    // A call back from the call chain of a running turn that does not hold it up (a read-only call while
                    // only reads block, or any call while only interleaving turns run): that turn waits on it, so it must
                    // not queue behind a write that waits for that turn (all would stall until the response timeout).
                    interleave = true;
                }
                else
                {
                    rejected = new DeadlockException(chain.ToList(GrainId));
                }
            }

            if (rejected is null)
            {
                if (interleave)
                {
                    (_interleaving ??= new Queue<Message>()).Enqueue(message);
                }
                else
                {
                    _waiting.Enqueue(message);
                }

                if (_state == ActivationState.Created)
                {
                    _state = ActivationState.Activating;
                    startActivation = true;
                }
                else if (_state == ActivationState.Valid && !_pumpScheduled && HasRunnableWork())
                {
                    _pumpScheduled = true;
                    schedule = true;
                }
            }
        }

        if (rejected is not null)
        {
            message.Request.TryFail(rejected);
        }
        else if (startActivation)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static a => a.StartActivation(), this, preferLocal: false);
        }
        else if (schedule)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: true);
        }

        return true;
    }

    /// <summary>The mailbox pump: runs every runnable message; stops when the next one must wait.</summary>
    public void Execute()
    {
        while (true)
        {
            Message? message;
            lock (_lock)
            {
                message = TakeRunnable();
                if (message is null)
                {
                    _pumpScheduled = false;
                    break;
                }
            }

            StartTurn(message);
        }

        // Turns set the call context; it is cleared once per batch rather than once per turn (each change allocates).
        CallContext.Current = null;
        TryBeginDeactivation();
    }

    public void AddStateLoader(IActivationStateLoader loader) => _stateLoaders.Add(loader);

    public IGrainTimer RegisterTimer(IActivationTimer timer)
    {
        lock (_lock)
        {
            if (_state is ActivationState.Deactivating or ActivationState.Invalid)
            {
                timer.Stop();
                throw new InvalidOperationException($"Cannot register a timer on {GrainId}: it is deactivating.");
            }

            (_timers ??= []).Add(timer);
        }

        timer.Start();
        return timer;
    }

    public void RemoveTimer(IActivationTimer timer)
    {
        lock (_lock)
        {
            _timers?.Remove(timer);
        }
    }

    /// <summary>
    /// Refused once the activation is deactivating, as a timer is: its subscriptions were let go of before OnDeactivateAsync,
    /// so one made then (or later, by work the activation left running) stayed with the provider, and each event of the
    /// stream activated the grain again for a subscription no activation held. A stored one outlives the activation anyway.
    /// </summary>
    public void AddSubscription(IActivationStreamSubscription subscription)
    {
        lock (_lock)
        {
            if (!subscription.IsStored && _state is ActivationState.Deactivating or ActivationState.Invalid)
            {
                throw new InvalidOperationException(
                    $"Cannot subscribe {GrainId} to stream {subscription.StreamId} ({subscription.ProviderName}): it is deactivating.");
            }

            (_subscriptions ??= []).Add(subscription);
        }
    }

    public void RemoveSubscription(IActivationStreamSubscription subscription)
    {
        lock (_lock)
        {
            _subscriptions?.Remove(subscription);
        }
    }

    /// <summary>The activation's handle of a stored subscription, created (without an observer) the first time it is asked for.</summary>
    public IActivationStreamSubscription GetOrAddSubscription(Guid handleId, Func<IActivationStreamSubscription> create)
    {
        lock (_lock)
        {
            _subscriptions ??= [];
            foreach (var subscription in _subscriptions)
            {
                if (subscription.HandleId == handleId)
                {
                    return subscription;
                }
            }

            var created = create();
            _subscriptions.Add(created);
            return created;
        }
    }

    public IActivationStreamSubscription[] GetSubscriptions()
    {
        lock (_lock)
        {
            return _subscriptions?.ToArray() ?? [];
        }
    }

    public void DelayDeactivation(TimeSpan timeSpan)
    {
        var until = GrainRuntime.AddTicks(Runtime.TimeProvider.GetTimestamp(), Runtime.ToTimestampTicks(timeSpan));
        lock (_lock)
        {
            _keepAliveUntil = Math.Max(_keepAliveUntil, until);
        }
    }

    /// <summary>Requests deactivation only of an activation still running its OnActivateAsync, which is cancelled.</summary>
    public void AbandonIfActivating(DeactivationReason reason)
    {
        lock (_lock)
        {
            if (_state != ActivationState.Activating)
            {
                return;
            }
        }

        RequestDeactivation(reason);
    }

    /// <summary>Deactivates once no request is running; requests queued behind go to the next activation.</summary>
    public void RequestDeactivation(DeactivationReason reason)
    {
        bool neverStarted;
        CancellationTokenSource? activating;
        lock (_lock)
        {
            if (_pendingDeactivation is not null || _state is ActivationState.Deactivating or ActivationState.Invalid)
            {
                return;
            }

            _pendingDeactivation = reason;
            neverStarted = _state == ActivationState.Created;
            if (neverStarted)
            {
                _state = ActivationState.Invalid;
            }

            activating = _activationCancellation;
        }

        // An activation still running its OnActivateAsync is told to abandon it: a silo stopping must not wait for an
        // activation that waits on something the stop has ended (the activation then fails; nothing ran, nothing to save).
        TryCancel(activating);

        if (neverStarted)
        {
            // Outside the lock: a stateless worker group takes its own lock before an activation's, never after.
            Runtime.Catalog.Remove(this);
            _deactivated.TrySetResult();
            return;
        }

        TryBeginDeactivation();
    }

    /// <summary>Fails every call whose deadline has passed (the grain may still be running it: the outcome is unknown).</summary>
    public void CheckTimeouts(long now)
    {
        List<Message>? expired = null;
        lock (_lock)
        {
            if (_runningFirst is { } first && first.Deadline <= now)
            {
                (expired ??= []).Add(first);
            }

            if (_runningMore is not null)
            {
                foreach (var message in _runningMore)
                {
                    if (message.Deadline <= now)
                    {
                        (expired ??= []).Add(message);
                    }
                }
            }

            CollectExpired(_waiting, now, ref expired);
            if (_interleaving is not null)
            {
                CollectExpired(_interleaving, now, ref expired);
            }
        }

        if (expired is null)
        {
            return;
        }

        foreach (var message in expired)
        {
            if (message.Request.TryTimeOut(new TimeoutException(
                $"{message.InterfaceName}.{message.Request.MethodName} on {GrainId} did not respond within {Runtime.Options.ResponseTimeout}; its outcome is unknown.")))
            {
                Runtime.LogCallTimedOut(GrainId, message.InterfaceName, message.Request.MethodName);
            }
        }
    }

    /// <summary>For stateless worker routing: requests running or queued (0 = idle); int.MaxValue once it is going away.</summary>
    public int WorkerLoad
    {
        get
        {
            lock (_lock)
            {
                return _pendingDeactivation is not null || _state is ActivationState.Deactivating or ActivationState.Invalid
                    ? int.MaxValue
                    : _runningCount + _waiting.Count + (_interleaving?.Count ?? 0);
            }
        }
    }

    /// <summary>True when the activation has been idle longer than its collection age.</summary>
    public bool IsIdle(long now, long collectionAgeTicks)
    {
        lock (_lock)
        {
            return _state == ActivationState.Valid && _pendingDeactivation is null && _runningCount == 0 && _waiting.Count == 0
                && (_interleaving is null || _interleaving.Count == 0)
                && now - _lastActivity >= collectionAgeTicks && now >= _keepAliveUntil;
        }
    }

    /// <summary>Crash semantics: drop everything without OnDeactivateAsync (used to simulate a silo failure).</summary>
    public void Kill()
    {
        List<Message> pending;
        IActivationTimer[] timers;
        IActivationStreamSubscription[] subscriptions;
        lock (_lock)
        {
            _state = ActivationState.Invalid;
            pending = DrainQueues();
            if (_runningFirst is not null)
            {
                pending.Add(_runningFirst);
            }

            if (_runningMore is not null)
            {
                pending.AddRange(_runningMore);
            }

            timers = _timers?.ToArray() ?? [];
            _timers = null;
            subscriptions = _subscriptions?.ToArray() ?? [];
            _subscriptions = null;
        }

        foreach (var subscription in subscriptions)
        {
            subscription.Detach();
        }

        foreach (var timer in timers)
        {
            timer.Stop();
        }

        var error = new InvalidOperationException($"The silo hosting {GrainId} was killed.");
        foreach (var message in pending)
        {
            message.Request.TryFail(error);
        }

        _deactivated.TrySetResult();
    }

    private static void CollectExpired(Queue<Message> queue, long now, ref List<Message>? expired)
    {
        foreach (var message in queue)
        {
            if (message.Deadline <= now && !message.Request.IsCompleted)
            {
                (expired ??= []).Add(message);
            }
        }
    }

    /// <summary>
    /// Work the pump may start now. While a deactivation waits for the running turns to end, interleaving requests still
    /// run beside them: a running turn may be waiting on one (a callback through another grain, as a breaker's change
    /// notice to the account that is calling it), and holding it back would deadlock both until the call timed out.
    /// Everything else waits for the next activation.
    /// </summary>
    private bool HasRunnableWork() => _pendingDeactivation is null
        ? _waiting.Count > 0 || _interleaving?.Count > 0
        : _runningCount > 0 && _interleaving?.Count > 0;

    /// <summary>The waiting head first when it may run (arrival order), then interleaving requests, which always may.</summary>
    private Message? TakeRunnable()
    {
        if (_state != ActivationState.Valid || (_pendingDeactivation is not null && _runningCount == 0))
        {
            return null;
        }

        while (_pendingDeactivation is null && _waiting.TryPeek(out var head))
        {
            if (head.Request.IsCompleted)
            {
                _waiting.Dequeue();
                continue;
            }

            var readOnly = (head.Request.Options & GrainRequestOptions.ReadOnly) != 0;
            if (_class.IsReentrant || MayRunBeside(readOnly))
            {
                _waiting.Dequeue();
                Track(head, readOnly);
                return head;
            }

            break;
        }

        if (_interleaving is not null)
        {
            while (_interleaving.TryDequeue(out var interleaved))
            {
                if (interleaved.Request.IsCompleted)
                {
                    continue;
                }

                var interleavedOptions = interleaved.Request.Options;
                var readOnly = (interleavedOptions & GrainRequestOptions.ReadOnly) != 0;
                if ((interleavedOptions & GrainRequestOptions.AlwaysInterleave) == 0 && !MayRunBeside(readOnly))
                {
                    // A callback whose turn has ended meanwhile, and a turn that holds it up runs: it is an ordinary call now.
                    _waiting.Enqueue(interleaved);
                    continue;
                }

                // Counted as read-only when it is one (Untrack does), or [ReadOnly][AlwaysInterleave] would skew the count.
                Track(interleaved, readOnly);
                return interleaved;
            }
        }

        return null;
    }

    /// <summary>
    /// Whether a request that does not interleave may start beside the running turns: none of them holds it up (as in
    /// Orleans, only a turn that does not interleave does), or it is read-only and so are they.
    /// </summary>
    private bool MayRunBeside(bool readOnly) => _blockingCount == 0 || (readOnly && _blockingReadOnlyCount == _blockingCount);

    private void Track(Message message, bool readOnly)
    {
        _runningCount++;
        if ((message.Request.Options & GrainRequestOptions.AlwaysInterleave) == 0)
        {
            _blockingCount++;
            if (readOnly)
            {
                _blockingReadOnlyCount++;
            }
        }

        if (_runningFirst is null)
        {
            _runningFirst = message;
        }
        else
        {
            (_runningMore ??= []).Add(message);
        }
    }

    private void Untrack(Message message)
    {
        var options = message.Request.Options;
        var readOnly = (options & GrainRequestOptions.ReadOnly) != 0;
        _runningCount--;
        if ((options & GrainRequestOptions.AlwaysInterleave) == 0)
        {
            _blockingCount--;
            if (readOnly)
            {
                _blockingReadOnlyCount--;
            }
        }

        if (ReferenceEquals(_runningFirst, message))
        {
            _runningFirst = null;
        }
        else
        {
            _runningMore?.Remove(message);
        }
    }

    private void StartTurn(Message message)
    {
        var grain = _grain!;
        CallContext.Current = message;
        ValueTask turn;
        if (Runtime.Filters.Length == 0)
        {
            turn = message.Request.InvokeAsync(grain);
        }
        else
        {
            turn = IncomingCallFilterContext.RunAsync(Runtime.Filters, message, grain);
        }

        if (turn.IsCompleted)
        {
            EndTurn(message);
        }
        else
        {
            _ = AwaitTurnAsync(turn, message);
        }
    }

    private async Task AwaitTurnAsync(ValueTask turn, Message message)
    {
        try
        {
            await turn;
        }
        finally
        {
            EndTurn(message);
        }
    }

    private void EndTurn(Message message)
    {
        var schedule = false;
        lock (_lock)
        {
            Untrack(message);
            if ((message.Request.Options & GrainRequestOptions.NoKeepAlive) == 0)
            {
                _lastActivity = Runtime.TimeProvider.GetTimestamp();
            }

            if (message.Request.Fault is InconsistentStateException conflict && _pendingDeactivation is null)
            {
                _pendingDeactivation = new DeactivationReason(
                    DeactivationReasonCode.ApplicationError, "A storage write found a newer version (ETag conflict).", conflict);
            }

            if (!_pumpScheduled && HasRunnableWork())
            {
                _pumpScheduled = true;
                schedule = true;
            }
        }

        if (schedule)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
        else
        {
            TryBeginDeactivation();
        }

        message.Request.Complete();
    }

    private void TryBeginDeactivation()
    {
        lock (_lock)
        {
            if (_pendingDeactivation is null || _state != ActivationState.Valid || _runningCount != 0)
            {
                return;
            }

            _state = ActivationState.Deactivating;
        }

        ThreadPool.UnsafeQueueUserWorkItem(static a => _ = a.DeactivateAsync(), this, preferLocal: false);
    }

    private List<Message> DrainQueues()
    {
        var pending = new List<Message>(_waiting.Count + (_interleaving?.Count ?? 0));
        if (_interleaving is not null)
        {
            pending.AddRange(_interleaving);
            _interleaving.Clear();
        }

        pending.AddRange(_waiting);
        _waiting.Clear();
        return pending;
    }

    private void StartActivation() => _ = ActivateAsync();

    private async Task ActivateAsync()
    {
        // The timeout cancels through TryCancel, not a CancellationTokenSource delay: a callback the grain left on the token
        // that throws would otherwise throw on the timer's thread, unhandled.
        var cancellation = new CancellationTokenSource();
        var deadline = Runtime.TimeProvider.CreateTimer(
            static s => CancelFor(s!), (this, cancellation), Runtime.Options.ActivationTimeout, Timeout.InfiniteTimeSpan);
        var onKill = Runtime.StoppingToken.UnsafeRegister(static s => CancelFor(s!), (this, cancellation));
        bool deactivationRequested;
        CallChain? activatedBy;
        lock (_lock)
        {
            _activationCancellation = cancellation;
            deactivationRequested = _pendingDeactivation is not null;
            activatedBy = _waiting.TryPeek(out var first) ? first.CallChain : _interleaving?.TryPeek(out var interleaved) == true ? interleaved.CallChain : null;
        }

        // The activation runs on behalf of the call that started it, whose callers wait for it: calls from OnActivateAsync
        // carry that call's chain, so a call back into one of them fails as a deadlock instead of stalling until the timeout.
        CallContext.Current = new DetachedCallContext(this, activatedBy, null);

        if (deactivationRequested)
        {
            TryCancel(cancellation);
        }

        try
        {
            t_constructing = this;
            try
            {
                _grain = _class.Factory(Runtime.Services, this);
            }
            finally
            {
                t_constructing = null;
            }

            var cancellationToken = cancellation.Token;
            foreach (var loader in _stateLoaders)
            {
                await loader.LoadAsync(cancellationToken);
            }

            if (_grain is Grain grain)
            {
                await grain.OnActivateAsync(cancellationToken);
            }
        }
        catch (Exception ex)
        {
            EndActivationCancellation(cancellation, deadline, onKill);
            var (error, expected) = Explain(ex, cancellation);
            FailActivation(error, expected);
            return;
        }

        EndActivationCancellation(cancellation, deadline, onKill);
        var schedule = false;
        lock (_lock)
        {
            if (_state != ActivationState.Activating)
            {
                return;
            }

            _state = ActivationState.Valid;
            _lastActivity = Runtime.TimeProvider.GetTimestamp();
            if (!_pumpScheduled && HasRunnableWork())
            {
                _pumpScheduled = true;
                schedule = true;
            }
        }

        Runtime.LogActivated(GrainId);
        if (schedule)
        {
            ThreadPool.UnsafeQueueUserWorkItem(this, preferLocal: false);
        }
        else
        {
            TryBeginDeactivation();
        }
    }

    private void EndActivationCancellation(CancellationTokenSource cancellation, ITimer deadline, CancellationTokenRegistration onKill)
    {
        lock (_lock)
        {
            _activationCancellation = null;
        }

        deadline.Dispose();
        onKill.Dispose();
        cancellation.Dispose();
    }

    /// <summary>
    /// Cancels a token the runtime gave the grain. A callback the grain left on it that throws is logged: thrown from here
    /// it would break off a silo's stop or a deactivation, or go unhandled on a timer's thread.
    /// </summary>
    private void TryCancel(CancellationTokenSource? cancellation)
    {
        try
        {
            cancellation?.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The activation finished meanwhile: nothing left to cancel.
        }
        catch (AggregateException ex)
        {
            Runtime.LogCancellationCallbackFailed(ex, GrainId);
        }
    }

    private static void CancelFor(object state)
    {
        var (activation, cancellation) = ((ActivationData, CancellationTokenSource))state;
        activation.TryCancel(cancellation);
    }

    /// <summary>
    /// What the calls queued behind a failed activation fail with. An activation the runtime cancelled says why: asked to
    /// deactivate first (expected: not logged as an error) or out of time. After a kill the cancellation stands as it is.
    /// </summary>
    private (Exception Error, bool Expected) Explain(Exception ex, CancellationTokenSource cancellation)
    {
        if (ex is not OperationCanceledException || !cancellation.IsCancellationRequested || Runtime.StoppingToken.IsCancellationRequested)
        {
            return (ex, false);
        }

        DeactivationReason? reason;
        lock (_lock)
        {
            reason = _pendingDeactivation;
        }

        return reason is { } r
            ? (new InvalidOperationException($"{GrainId} was deactivated ({r.ReasonCode}: {r.Description}) before its activation completed.", ex), true)
            : (new TimeoutException($"Activation of {GrainId} did not complete within {Runtime.Options.ActivationTimeout}.", ex), false);
    }

    /// <param name="expected">True when the activation was given up because it was asked to deactivate (not an error).</param>
    private void FailActivation(Exception ex, bool expected = false)
    {
        List<Message> pending;
        IActivationTimer[] timers;
        IActivationStreamSubscription[] subscriptions;
        lock (_lock)
        {
            _state = ActivationState.Invalid;
            pending = DrainQueues();
            timers = _timers?.ToArray() ?? [];
            _timers = null;
            subscriptions = _subscriptions?.ToArray() ?? [];
            _subscriptions = null;
        }

        foreach (var subscription in subscriptions)
        {
            subscription.Detach();
        }

        Runtime.Catalog.Remove(this);
        foreach (var timer in timers)
        {
            timer.Stop();
        }

        if (expected)
        {
            Runtime.LogActivationAbandoned(GrainId, ex.Message);
        }
        else
        {
            Runtime.LogActivationFailed(ex, GrainId);
        }

        foreach (var message in pending)
        {
            message.Request.TryFail(ex);
        }

        _deactivated.TrySetResult();
    }

    private async Task DeactivateAsync()
    {
        DeactivationReason reason;
        IActivationTimer[] timers;
        IActivationStreamSubscription[] subscriptions;
        lock (_lock)
        {
            reason = _pendingDeactivation ?? new DeactivationReason(DeactivationReasonCode.None, "Deactivated.");
            timers = _timers?.ToArray() ?? [];
            _timers = null;
            subscriptions = _subscriptions?.ToArray() ?? [];
            _subscriptions = null;
        }

        foreach (var subscription in subscriptions)
        {
            subscription.Detach();
        }

        foreach (var timer in timers)
        {
            timer.Stop();
        }

        CallContext.Current = new DetachedCallContext(this, null, null);
        if (_grain is Grain grain)
        {
            await RunOnDeactivateAsync(grain, reason);
        }

        List<Message> pending;
        lock (_lock)
        {
            _state = ActivationState.Invalid;
            pending = DrainQueues();
        }

        Runtime.Catalog.Remove(this);
        Runtime.LogDeactivated(GrainId, reason.ReasonCode);
        foreach (var message in pending)
        {
            if ((message.Request.Options & GrainRequestOptions.ActivationBound) == 0)
            {
                Runtime.Catalog.Deliver(message);
            }
        }

        _deactivated.TrySetResult();
    }

    /// <summary>
    /// As in Orleans, OnDeactivateAsync has DeactivationTimeout: then its token is cancelled and the activation goes away
    /// whether it has finished or not, so one that never completes cannot hold the calls queued for the grain forever
    /// (they go to a new activation). A kill cancels the token at once.
    /// </summary>
    private async Task RunOnDeactivateAsync(Grain grain, DeactivationReason reason)
    {
        using var cancellation = new CancellationTokenSource();
        using var onKill = Runtime.StoppingToken.UnsafeRegister(static s => CancelFor(s!), (this, cancellation));
        try
        {
            var deactivating = grain.OnDeactivateAsync(reason, cancellation.Token);
            if (deactivating.IsCompleted)
            {
                await deactivating;
            }
            else
            {
                // Armed only for a callback still running: most complete at once and need no timer.
                using var deadline = Runtime.TimeProvider.CreateTimer(
                    static s => CancelFor(s!), (this, cancellation), Runtime.Options.DeactivationTimeout, Timeout.InfiniteTimeSpan);
                await deactivating.WaitAsync(cancellation.Token);
            }
        }
        catch (OperationCanceledException ex) when (cancellation.IsCancellationRequested && !Runtime.StoppingToken.IsCancellationRequested)
        {
            Runtime.LogDeactivationFailed(
                new TimeoutException($"OnDeactivateAsync of {GrainId} did not complete within {Runtime.Options.DeactivationTimeout}.", ex), GrainId);
        }
        catch (Exception ex)
        {
            Runtime.LogDeactivationFailed(ex, GrainId);
        }
    }
}
