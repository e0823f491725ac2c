namespace OrleansTrader.Runtime;

/// <summary>
/// A grain timer. Each tick is a message to its activation, so it respects the activation's turns; the next tick is
/// armed only after the callback completes, so ticks never overlap.
/// </summary>
internal sealed class GrainTimer<TState> : IActivationTimer
{
    private readonly ActivationData _activation;
    private readonly Func<TState, CancellationToken, Task> _callback;
    private readonly TState _state;
    private readonly GrainRequestOptions _requestOptions;
    private readonly CancellationTokenSource _stopped = new();
    private readonly ITimer _timer;
    private TimeSpan _dueTime;
    private TimeSpan _period;
    private int _isStopped;

    public GrainTimer(ActivationData activation, Func<TState, CancellationToken, Task> callback, TState state, GrainTimerCreationOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.DueTime, TimeSpan.Zero, nameof(options));
        if (options.Period < TimeSpan.Zero && options.Period != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Period must be positive or Timeout.InfiniteTimeSpan.");
        }

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
        _dueTime = dueTime;
        _period = period;
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
        _stopped.Cancel();
        _stopped.Dispose();
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
            if (_period != Timeout.InfiniteTimeSpan)
            {
                Arm(_period);
            }
        }
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

        var request = new TimerTickRequest<TState>(this, _requestOptions);
        _activation.TryEnqueue(new Message(_activation.GrainId, request, null, null, long.MaxValue));
    }
}
