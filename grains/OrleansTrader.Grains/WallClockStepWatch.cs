namespace OrleansTrader.Grains;

/// <summary>
/// Tells a wall-clock step (NTP, a host resumed after a pause, an operator setting the clock) from time passing: the wall
/// clock as read now against the previous reading advanced by the elapsed time since. A window of wall times kept in
/// memory (the account's submits, the breaker's broker outcomes) moves its entries by the step, so it keeps holding what
/// happened in the elapsed time it spans.
/// </summary>
internal sealed class WallClockStepWatch(TimeProvider time)
{
    // Below a second it is the clock being slewed or read a moment apart, not a step: nothing is moved for it.
    private static readonly TimeSpan SmallestStep = TimeSpan.FromSeconds(1);

    private DateTimeOffset _readAt;
    private long _readStamp;

    /// <summary>Reads the wall clock afresh (at activation): steps are counted from this reading on. Returns it.</summary>
    public DateTimeOffset Restart()
    {
        (_readAt, _readStamp) = (time.GetUtcNow(), time.GetTimestamp());
        return _readAt;
    }

    /// <summary>How far the wall clock, reading <paramref name="now"/>, stepped since the last reading (zero below a second); <paramref name="now"/> is the last reading from then on.</summary>
    public TimeSpan StepTo(DateTimeOffset now)
    {
        var stepped = now - _readAt - time.GetElapsedTime(_readStamp);
        (_readAt, _readStamp) = (now, time.GetTimestamp());
        return stepped.Duration() < SmallestStep ? TimeSpan.Zero : stepped;
    }
}
