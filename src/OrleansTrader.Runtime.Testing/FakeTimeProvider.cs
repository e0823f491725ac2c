namespace OrleansTrader.Runtime.Testing;

/// <summary>
/// A manual clock for tests. Time moves only through <see cref="Advance"/> and <see cref="SetUtcNow"/>, which fire the
/// callbacks of timers created with <see cref="CreateTimer"/> that fall due, in due-time order, on the calling thread
/// (a timer due at once is fired on the thread pool, as a real timer would be).
/// </summary>
public sealed class FakeTimeProvider : TimeProvider
{
    private readonly Lock _lock = new();
    private readonly List<FakeTimer> _timers = [];
    private readonly List<(int Count, TaskCompletionSource Reached)> _countWaiters = [];
    private DateTimeOffset _now;

    public FakeTimeProvider()
        : this(new DateTimeOffset(2026, 1, 5, 14, 30, 0, TimeSpan.Zero))
    {
    }

    public FakeTimeProvider(DateTimeOffset startTime)
    {
        _now = startTime.ToUniversalTime();
    }

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock)
        {
            return _now;
        }
    }

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    /// <summary>Moves time forward, firing every timer that falls due on the way.</summary>
    public void Advance(TimeSpan delta)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delta, TimeSpan.Zero);
        DateTimeOffset target;
        lock (_lock)
        {
            target = _now + delta;
        }

        while (true)
        {
            FakeTimer? due = null;
            lock (_lock)
            {
                foreach (var timer in _timers)
                {
                    if (timer.DueAt is { } at && at <= target && (due is null || at < due.DueAt))
                    {
                        due = timer;
                    }
                }

                if (due is null)
                {
                    _now = target;
                    return;
                }

                if (due.DueAt > _now)
                {
                    _now = due.DueAt!.Value;
                }

                due.DueAt = due.Period is { } period ? _now + period : null;
            }

            NotifyCountWaiters();
            due.Fire();
        }
    }

    /// <summary>Sets the clock; moving forward fires due timers like <see cref="Advance"/>.</summary>
    public void SetUtcNow(DateTimeOffset value)
    {
        TimeSpan delta;
        lock (_lock)
        {
            delta = value - _now;
            if (delta < TimeSpan.Zero)
            {
                _now = value;
                return;
            }
        }

        Advance(delta);
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        var timer = new FakeTimer(this, callback, state);
        lock (_lock)
        {
            _timers.Add(timer);
        }

        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>Timers currently scheduled (for tests that assert timers were stopped).</summary>
    public int ActiveTimerCount
    {
        get
        {
            lock (_lock)
            {
                return CountScheduled();
            }
        }
    }

    /// <summary>
    /// Completes when <see cref="ActiveTimerCount"/> is <paramref name="count"/>: a test waits here until code running on
    /// other threads has re-armed its timer (a one-shot timer has no due time between firing and its next Change), so the
    /// next <see cref="Advance"/> fires it on schedule.
    /// </summary>
    public Task WaitForActiveTimerCountAsync(int count)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (CountScheduled() == count)
            {
                return Task.CompletedTask;
            }

            _countWaiters.Add((count, reached));
        }

        return reached.Task;
    }

    private int CountScheduled() => _timers.Count(t => t.DueAt is not null);

    private void NotifyCountWaiters()
    {
        List<TaskCompletionSource>? reached = null;
        lock (_lock)
        {
            if (_countWaiters.Count == 0)
            {
                return;
            }

            var scheduled = CountScheduled();
            for (var i = _countWaiters.Count - 1; i >= 0; i--)
            {
                if (_countWaiters[i].Count == scheduled)
                {
                    (reached ??= []).Add(_countWaiters[i].Reached);
                    _countWaiters.RemoveAt(i);
                }
            }
        }

        if (reached is not null)
        {
            foreach (var waiter in reached)
            {
                waiter.TrySetResult();
            }
        }
    }

    private sealed class FakeTimer(FakeTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        public DateTimeOffset? DueAt { get; set; }

        public TimeSpan? Period { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            var runNow = false;
            lock (owner._lock)
            {
                if (!owner._timers.Contains(this))
                {
                    return false;
                }

                Period = period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero ? null : period;
                if (dueTime == Timeout.InfiniteTimeSpan)
                {
                    DueAt = null;
                }
                else if (dueTime == TimeSpan.Zero)
                {
                    runNow = true;
                    DueAt = Period is { } p ? owner._now + p : null;
                }
                else
                {
                    DueAt = owner._now + dueTime;
                }
            }

            owner.NotifyCountWaiters();
            if (runNow)
            {
                ThreadPool.UnsafeQueueUserWorkItem(static t => t.Fire(), this, preferLocal: false);
            }

            return true;
        }

        public void Fire() => callback(state);

        public void Dispose()
        {
            lock (owner._lock)
            {
                owner._timers.Remove(this);
                DueAt = null;
            }

            owner.NotifyCountWaiters();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
