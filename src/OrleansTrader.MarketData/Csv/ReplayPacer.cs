namespace OrleansTrader.MarketData.Csv;

/// <summary>
/// Releases replayed events at wall-clock times proportional to their data times: with factor 60 an event one
/// data-minute after the first is released one second after the first. Factor 0 never waits.
/// </summary>
internal sealed class ReplayPacer(TimeProvider timeProvider, double speedFactor)
{
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

        var target = _wallAnchor + ((dataTime - anchor) / speedFactor);
        var delay = target - timeProvider.GetUtcNow();
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, timeProvider, cancellationToken);
        }
    }
}
