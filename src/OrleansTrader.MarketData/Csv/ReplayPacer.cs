namespace OrleansTrader.MarketData.Csv;

/// <summary>
/// Releases replayed events at wall-clock times proportional to their data times: with factor 60 an event one
/// data-minute after the first is released one second after the first. Factor 0 never waits.
/// </summary>
internal sealed class ReplayPacer(TimeProvider timeProvider, double speedFactor)
{
    // Task.Delay takes at most about 49.7 days: a slow-motion factor across a weekend (0.01 makes it 233 days) threw
    // ArgumentOutOfRangeException and ended the replay, so a long wait is taken in steps.
    private static readonly TimeSpan LongestStep = TimeSpan.FromDays(1);

    private DateTimeOffset? _dataAnchor;
    private DateTimeOffset _wallAnchor;

    public async ValueTask WaitAsync(DateTimeOffset dataTime, CancellationToken cancellationToken)
    {
        if (speedFactor <= 0)
        {
            return;
        }

        if (_dataAnchor is not { } anchor)
        {
            _dataAnchor = dataTime;
            _wallAnchor = timeProvider.GetUtcNow();
            return;
        }

        // In ticks as a double: at a small factor the wait can pass what a TimeSpan holds (OverflowException).
        var dueTicks = (dataTime - anchor).Ticks / speedFactor;
        double Remaining() => dueTicks - (timeProvider.GetUtcNow() - _wallAnchor).Ticks;
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
