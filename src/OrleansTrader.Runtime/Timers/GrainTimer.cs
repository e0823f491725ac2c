namespace OrleansTrader.Runtime;

/// <summary>
/// A grain timer. Each tick is a message to its activation, so it respects the activation's turns; the next tick is
/// armed only after the callback completes, so ticks never overlap (a Change during a tick applies from its end).
/// </summary>
internal sealed class GrainTimer<TState> : IActivationTimer
{
    private const long MaxSupportedMilliseconds = 0xFFFFFFFE;

    private readonly ActivationData _activation;
    private readonly Func<TState, CancellationToken, Task> _callback;
    private readonly TState _state;
    private readonly GrainRequestOptions _requestOptions;
    private readonly CancellationTokenSource _stopped = new();
    private readonly ITimer _timer;
    private readonly Lock _lock = new();
    private TimeSpan _dueTime;
    private TimeSpan _period;
    private int _isStopped;

    /// <summary>A tick is queued or running: from when it is due until its callback ends (guarded by _lock).</summary>
    private bool _ticking;

    /// <summary>Change was called while a tick was queued or running: the tick's end arms the new due time.</summary>
    private bool _changed;

    public GrainTimer(ActivationData activation, Func<TState, CancellationToken, Task> callback, TState state, GrainTimerCreationOptions options)
    {
        // Infinite, as in Orleans, creates the timer stopped: it first ticks after a Change. Checked before anything is
        // created or registered, so a rejected timer leaves nothing behind.
        Validate(options.DueTime, options.Period);
        _activation = activation;
        _callback = callback;
        _state = state;
        _dueTime = options.DueTime;
        _period = options.Period;
        _requestOptions = GrainRequestOptions.ActivationBound
            | (options.Interleave ? GrainRequestOptions.AlwaysInterleave : GrainRequestOptions.None)
            | (options.KeepAlive ? GrainRequestOptions.None : GrainRequestOptions.NoKeepAlive);
        _timer = activation.Runtime.TimeProvider.CreateTimer(
            static s => ((GrainTimer<TState>)s!).OnDue(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public void Start() => Arm(_dueTime);

    public void Change(TimeSpan dueTime, TimeSpan period)
    {
        Validate(dueTime, period);
        lock (_lock)
        {
            _dueTime = dueTime;
            _period = period;

            // Armed now, a tick could start beside the one in progress (an interleaving timer) and the period armed at
            // that tick's end would replace the new due time. The tick's end arms it instead.
            if (_ticking)
            {
                _changed = true;
                return;
            }
        }

        Arm(dueTime);
    }

    public void Dispose()
    {
        Stop();
        _activation.RemoveTimer(this);
    }

    public void Stop()
    {
        if (Interlocked.Exchange(ref _isStopped, 1) != 0)
        {
            return;
        }

        _timer.Dispose();
        try
        {
            _stopped.Cancel();
        }
        catch (AggregateException ex)
        {
            // A callback the grain left on the tick's token threw. Stop runs inside deactivation, a failed activation and a
            // kill: thrown from there it would leave the activation half gone, its calls queued for good.
            _activation.Runtime.LogTimerFailed(ex, _activation.GrainId);
        }
        finally
        {
            _stopped.Dispose();
        }
    }

    internal async ValueTask TickAsync()
    {
        if (Volatile.Read(ref _isStopped) != 0)
        {
            return;
        }

        try
        {
            await _callback(_state, _stopped.Token);
        }
        catch (Exception ex)
        {
            _activation.Runtime.LogTimerFailed(ex, _activation.GrainId);
            throw;
        }
        finally
        {
            TimeSpan next;
            lock (_lock)
            {
                _ticking = false;
                next = _changed ? _dueTime : _period;
                _changed = false;
            }

            if (next != Timeout.InfiniteTimeSpan)
            {
                Arm(next);
            }
        }
    }

    /// <summary>
    /// The ranges Orleans accepts, which are those of a system timer (up to 0xFFFFFFFE ms, about 49.7 days): a longer span
    /// would fail only when armed, after registration or, for a period, after the first tick (silently ending the timer).
    /// </summary>
    private static void Validate(TimeSpan dueTime, TimeSpan period)
    {
        if (!IsValid(dueTime))
        {
            throw new ArgumentOutOfRangeException(
                nameof(dueTime), dueTime, $"DueTime must be from zero to {MaxSupportedMilliseconds} ms, or Timeout.InfiniteTimeSpan.");
        }

        if (!IsValid(period))
        {
            throw new ArgumentOutOfRangeException(
                nameof(period), period, $"Period must be from zero to {MaxSupportedMilliseconds} ms, or Timeout.InfiniteTimeSpan.");
        }

        static bool IsValid(TimeSpan span) =>
            span == Timeout.InfiniteTimeSpan || (span >= TimeSpan.Zero && (long)span.TotalMilliseconds <= MaxSupportedMilliseconds);
    }

    private void Arm(TimeSpan dueTime)
    {
        if (Volatile.Read(ref _isStopped) != 0)
        {
            return;
        }

        try
        {
            _timer.Change(dueTime, Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
            return;
        }
    }

    private void OnDue()
    {
        if (Volatile.Read(ref _isStopped) != 0)
        {
            return;
        }

        lock (_lock)
        {
            // Armed by a Change that raced this tick's due time: the tick in progress is the one that runs.
            if (_ticking)
            {
                return;
            }

            _ticking = true;
        }

        var request = new TimerTickRequest<TState>(this, _requestOptions);
        _activation.TryEnqueue(new Message(_activation.GrainId, request, null, null, long.MaxValue));
    }
}
