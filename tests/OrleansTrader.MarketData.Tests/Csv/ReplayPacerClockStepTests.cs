using OrleansTrader.MarketData.Csv;
using OrleansTrader.MarketData.Tests.Support;

namespace OrleansTrader.MarketData.Tests.Csv;

/// <summary>
/// A paced replay releases its events by the time elapsed since its first, so a wall-clock step (NTP, a host resumed, an
/// operator's mistake) neither releases the data of the step's length at once nor holds the replay for it.
/// </summary>
public sealed class ReplayPacerClockStepTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// The pace compared each event's due time with the wall clock: an hour forward, at factor 1 the next hour of data went
    /// out at once; an hour back, the replay stood still for the hour.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(-1)]
    public async Task AnEventTenDataSecondsOn_IsReleasedTenSecondsLater_WhenTheWallClockStepsAnHour(int hours)
    {
        var clock = new ManualTimeProvider(Start);
        var pacer = new ReplayPacer(clock, speedFactor: 1);
        var ct = TestContext.Current.CancellationToken;
        await pacer.WaitAsync(Start, ct);

        clock.Step(TimeSpan.FromHours(hours));
        var waiting = pacer.WaitAsync(Start.AddSeconds(10), ct).AsTask();
        Assert.False(waiting.IsCompleted, "an event due in 10 s was released at once");

        clock.Advance(TimeSpan.FromSeconds(9));
        Assert.False(waiting.IsCompleted, "an event due in 10 s was released after 9 s");
        clock.Advance(TimeSpan.FromSeconds(1));
        await waiting.WaitAsync(TimeSpan.FromSeconds(10), ct);
    }
}
