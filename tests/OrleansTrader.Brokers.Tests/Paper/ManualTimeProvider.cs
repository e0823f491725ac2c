namespace OrleansTrader.Brokers.Tests.Paper;

/// <summary>
/// A clock that moves only when a test calls <see cref="Advance"/>. Timers fire synchronously inside
/// <see cref="Advance"/>, in due order, each at its own due time.
/// </summary>
public sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<ManualTimer> _timers = [];
    private DateTimeOffset _now = start;

    // Elapsed time, which Advance moves and Step does not (as a real clock's monotonic timestamp).
    private long _elapsedTicks;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    /// <summary>When the earliest pending timer fires, or null when none is pending.</summary>
    public DateTimeOffset? NextDueAt
    {
        get
        {
            lock (_gate)
            {
                return _timers.Min(t => t.Due);
            }
        }
    }

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp()
    {
        lock (_gate)
        {
            return _elapsedTicks;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        lock (_gate)
        {
            _timers.Add(timer);
        }

        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Moves the clock forward, firing every timer that falls due on the way.</summary>
    public void Advance(TimeSpan by)
    {
        DateTimeOffset target;
        lock (_gate)
        {
            target = _now + by;
        }

        while (true)
        {
            ManualTimer? next;
            lock (_gate)
            {
                next = _timers.Where(t => t.Due is { } due && due <= target).MinBy(t => t.Due);
                if (next is null)
                {
                    _elapsedTicks += (target - _now).Ticks;
                    _now = target;
                    return;
                }

                var reached = next.Due!.Value > _now ? next.Due.Value : _now;
                _elapsedTicks += (reached - _now).Ticks;
                _now = reached;
                next.Due = next.Period > TimeSpan.Zero ? _now + next.Period : null;
            }

            next.Fire();
        }
    }

    public void AdvanceTo(DateTimeOffset instant) => Advance(instant - GetUtcNow());

    /// <summary>
    /// Steps the wall clock by <paramref name="by"/>, either way, as NTP, an operator or a resumed host does: timers count
    /// elapsed time, so they keep what they had left and nothing fires.
    /// </summary>
    public void Step(TimeSpan by)
    {
        lock (_gate)
        {
            _now += by;
            foreach (var timer in _timers)
            {
                timer.Due += by;
            }
        }
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? Due { get; set; }

        public TimeSpan Period { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._gate)
            {
                Due = dueTime == Timeout.InfiniteTimeSpan ? null : owner._now + dueTime;
                Period = period == Timeout.InfiniteTimeSpan ? TimeSpan.Zero : period;
            }

            return true;
        }

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (owner._gate)
            {
                Due = null;
                owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
