namespace OrleansTrader.Runtime.Testing;

/// <summary>
/// A wall clock that can step away from the elapsed time timers count, as a host's does (a host suspended or a clock set
/// forward, NTP or an operator setting it back: a negative skew): timers and timestamps come from <paramref name="inner"/>,
/// GetUtcNow adds <see cref="Skew"/>. Its timers refuse spans as a system
/// timer does (below -1 ms or above 0xFFFFFFFE ms), so code that arms them wrongly fails as it would in production.
/// </summary>
public sealed class SkewedTimeProvider(FakeTimeProvider inner) : TimeProvider
{
    private long _skewTicks;

    public TimeSpan Skew
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _skewTicks));
        set => Interlocked.Exchange(ref _skewTicks, value.Ticks);
    }

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override long TimestampFrequency => inner.TimestampFrequency;

    public override long GetTimestamp() => inner.GetTimestamp();

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + Skew;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        CheckedTimer.Validate(dueTime, period);
        return new CheckedTimer(inner.CreateTimer(callback, state, dueTime, period));
    }

    private sealed class CheckedTimer(ITimer timer) : ITimer
    {
        public static void Validate(TimeSpan dueTime, TimeSpan period)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan((long)dueTime.TotalMilliseconds, -1, nameof(dueTime));
            ArgumentOutOfRangeException.ThrowIfGreaterThan((long)dueTime.TotalMilliseconds, 0xFFFFFFFE, nameof(dueTime));
            ArgumentOutOfRangeException.ThrowIfLessThan((long)period.TotalMilliseconds, -1, nameof(period));
            ArgumentOutOfRangeException.ThrowIfGreaterThan((long)period.TotalMilliseconds, 0xFFFFFFFE, nameof(period));
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Validate(dueTime, period);
            return timer.Change(dueTime, period);
        }

        public void Dispose() => timer.Dispose();

        public ValueTask DisposeAsync() => timer.DisposeAsync();
    }
}
