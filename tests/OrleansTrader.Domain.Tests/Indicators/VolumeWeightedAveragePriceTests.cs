using OrleansTrader.Domain.Indicators;
using OrleansTrader.Domain.Market;

namespace OrleansTrader.Domain.Tests.Indicators;

public sealed class VolumeWeightedAveragePriceTests
{
    private static readonly TimeSpan NewYork = TimeSpan.FromHours(-4);

    [Fact]
    public void Update_WeightsPricesByVolume()
    {
        var vwap = VolumeWeightedAveragePrice.WithSessionOffset(NewYork);
        var t = new DateTimeOffset(2013, 10, 7, 9, 30, 0, NewYork);

        vwap.Update(t, 100m, 100m);
        var value = vwap.Update(t.AddMinutes(1), 103m, 200m);

        Assert.Equal(102m, value);
        Assert.Equal(300m, vwap.CumulativeVolume);
        Assert.Equal(2, vwap.Samples);
    }

    [Fact]
    public void Update_ResetsAtTheNextSession()
    {
        var vwap = VolumeWeightedAveragePrice.WithSessionOffset(NewYork);
        var day1 = new DateTimeOffset(2013, 10, 7, 15, 59, 0, NewYork);
        vwap.Update(day1, 100m, 1_000m);

        // 21:00 New York is already the next UTC date, but the same New York session.
        vwap.Update(new DateTimeOffset(2013, 10, 7, 21, 0, 0, NewYork), 110m, 1_000m);
        Assert.Equal(105m, vwap.Value);

        var value = vwap.Update(new DateTimeOffset(2013, 10, 8, 9, 30, 0, NewYork), 120m, 10m);

        Assert.Equal(120m, value);
        Assert.Equal(new DateOnly(2013, 10, 8), vwap.Session);
        Assert.Equal(1, vwap.Samples);
    }

    [Fact]
    public void Update_UsesTypicalPriceForBars()
    {
        var vwap = new VolumeWeightedAveragePrice();
        var bar = new Bar("SPY", new DateTimeOffset(2024, 1, 2, 15, 0, 0, TimeSpan.Zero), TimeSpan.FromMinutes(1), 10m, 12m, 9m, 9m, 50m);

        Assert.Equal(10m, vwap.Update(bar));
    }

    [Fact]
    public void Value_IsNull_UntilVolumeTrades()
    {
        var vwap = new VolumeWeightedAveragePrice();
        vwap.Update(new DateTimeOffset(2024, 1, 2, 15, 0, 0, TimeSpan.Zero), 10m, 0m);

        Assert.False(vwap.IsReady);
        Assert.Null(vwap.Value);
    }

    [Fact]
    public void Reset_StartsANewSession()
    {
        var vwap = new VolumeWeightedAveragePrice();
        var t = new DateTimeOffset(2024, 1, 2, 15, 0, 0, TimeSpan.Zero);
        vwap.Update(t, 10m, 5m);

        vwap.Reset();

        Assert.Null(vwap.Value);
        Assert.Equal(30m, vwap.Update(t.AddMinutes(1), 30m, 1m));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Update_Throws_ForNonPositivePrice(int price)
    {
        var vwap = new VolumeWeightedAveragePrice();

        Assert.Throws<ArgumentOutOfRangeException>(() => vwap.Update(DateTimeOffset.UnixEpoch, price, 1m));
    }
}
