using OrleansTrader.MarketData.Time;

namespace OrleansTrader.MarketData.Tests.Time;

public sealed class IsoTimestampTests
{
    [Theory]
    [InlineData("2013-10-07T04:00:00.464-04:00", 2013, 10, 7, 8, 0, 0, 4_640_000)]
    [InlineData("2013-10-07T04:00:00-04:00", 2013, 10, 7, 8, 0, 0, 0)]
    [InlineData("2021-02-22T15:51:45.335689322Z", 2021, 2, 22, 15, 51, 45, 3_356_893)]
    [InlineData("2021-02-22T15:51:45Z", 2021, 2, 22, 15, 51, 45, 0)]
    [InlineData("2021-02-22T17:51:45.5+02:00", 2021, 2, 22, 15, 51, 45, 5_000_000)]
    [InlineData("2020-02-29T23:30:00.1234567-01:30", 2020, 3, 1, 1, 0, 0, 1_234_567)]
    public void TryParse_ReturnsUtc(string text, int year, int month, int day, int hour, int minute, int second, long fractionTicks)
    {
        Assert.True(IsoTimestamp.TryParse(text, out var value));

        Assert.Equal(TimeSpan.Zero, value.Offset);
        Assert.Equal(new DateTimeOffset(year, month, day, hour, minute, second, TimeSpan.Zero).AddTicks(fractionTicks), value);
    }

    [Theory]
    [InlineData("2013-10-07T04:00:00.464")]
    [InlineData("2013-10-07 04:00:00.464-04:00")]
    [InlineData("2013-10-07T04:00:00.1234567891Z")]
    [InlineData("07/10/2013 04:00:00 -04:00")]
    [InlineData("2013-02-29T04:00:00Z")]
    [InlineData("2013-10-07T24:00:00Z")]
    [InlineData("2013-10-07T04:00:00.Z")]
    [InlineData("2013-10-07T04:00:00+0400")]
    [InlineData("2013-10-07T04:00:00-04:00 ")]
    [InlineData("")]
    public void TryParse_RejectsAmbiguousOrMalformedTimes(string text)
    {
        Assert.False(IsoTimestamp.TryParse(text, out _));
    }
}
