namespace OrleansTrader.MarketData.Csv;

/// <summary>
/// Releases replayed events at times proportional to their data times: with factor 60 an event one data-minute after the
/// first is released one second after the first. Factor 0 never waits. The time since the first counts elapsed time: on
/// the wall clock, a clock stepped an hour forward released the next hour of data at once (factor 1), and one set back
/// stood the replay still for the hour.
/// </summary>
internal sealed class ReplayPacer(TimeProvider timeProvider, double speedFactor)
{
    // Task.Delay takes at most about 49.7 days: a slow-motion factor across a weekend (0.01 makes it 233 days) threw
    // ArgumentOutOfRangeException and ended the replay, so a long wait is taken in steps.
    private static readonly TimeSpan LongestStep = TimeSpan.FromDays(1);

    private DateTimeOffset? _dataAnchor;
    private long _startedAt;

    public async ValueTask WaitAsync(DateTimeOffset dataTime, CancellationToken cancellationToken)
    {
        if (speedFactor <= 0)
        {
            return;
        }

        if (_dataAnchor is not { } anchor)
        {
            _dataAnchor = dataTime;
            _startedAt = timeProvider.GetTimestamp();
            return;
        }

        // In ticks as a double: at a small factor the wait can pass what a TimeSpan holds (OverflowException).
        var dueTicks = (dataTime - anchor).Ticks / speedFactor;
        double Remaining() => dueTicks - timeProvider.GetElapsedTime(_startedAt).Ticks;
        while (Remaining() > LongestStep.Ticks)
        {
            await Task.Delay(LongestStep, timeProvider, cancellationToken);
        }

        var remaining = Remaining();
        if (remaining > 0)
        {
            await Task.Delay(TimeSpan.FromTicks((long)Math.Ceiling(remaining)), timeProvider, cancellationToken);
        }
    }
}
