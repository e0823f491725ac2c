using OrleansTrader.Domain.Market;
using OrleansTrader.MarketData.Events;
using OrleansTrader.MarketData.Validation;

namespace OrleansTrader.MarketData.Tests.Validation;

public sealed class TickValidatorTests
{
    private static readonly DateTimeOffset T0 = new(2013, 10, 7, 13, 30, 0, TimeSpan.Zero);

    private static TradeTick Trade(decimal price, decimal size = 100m, int ms = 0, string symbol = "SPY", bool suspicious = false, string? exchange = "P") =>
        new(symbol, T0.AddMilliseconds(ms), price, size, exchange, null, suspicious);

    private static QuoteTick Quote(decimal bid, decimal ask, decimal bidSize = 100m, decimal askSize = 100m, int ms = 0) =>
        new("BAC", T0.AddMilliseconds(ms), bid, bid == 0m ? 0m : bidSize, ask, ask == 0m ? 0m : askSize, "Q");

    [Fact]
    public void ValidateTrade_Accepts_WellFormedTrade()
    {
        var validator = new TickValidator();

        var result = validator.ValidateTrade(Trade(100m));

        Assert.True(result.IsAccepted);
        Assert.Equal(1, validator.GetCounters().Accepted);
        Assert.Empty(validator.GetCounters().RejectedByReason);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void ValidateTrade_RejectsNonPositivePrice(int price)
    {
        var validator = new TickValidator();

        var result = validator.ValidateTrade(Trade(price));

        Assert.Equal(RejectionReason.NonPositivePrice, result.Reason);
        Assert.Equal(1, validator.GetCounters().RejectedByReason[RejectionReason.NonPositivePrice]);
    }

    [Fact]
    public void ValidateTrade_RejectsNonPositiveSize()
    {
        var validator = new TickValidator();

        Assert.Equal(RejectionReason.NonPositiveSize, validator.ValidateTrade(Trade(100m, size: 0m)).Reason);
        Assert.Equal(RejectionReason.NonPositiveSize, validator.ValidateTrade(Trade(100m, size: -5m)).Reason);
        Assert.Equal(2, validator.GetCounters().RejectedByReason[RejectionReason.NonPositiveSize]);
    }

    [Fact]
    public void ValidateTrade_RejectsSuspiciousPrint()
    {
        var validator = new TickValidator();

        Assert.Equal(RejectionReason.SuspiciousPrint, validator.ValidateTrade(Trade(100m, suspicious: true)).Reason);
    }

    [Fact]
    public void ValidateTrade_AcceptsSuspiciousPrint_WhenConfigured()
    {
        var validator = new TickValidator(new TickValidatorOptions { RejectSuspiciousPrints = false });

        Assert.True(validator.ValidateTrade(Trade(100m, suspicious: true)).IsAccepted);
    }

    [Fact]
    public void ValidateTrade_RejectsDuplicate_SameContentWithoutSourceId()
    {
        var validator = new TickValidator();
        Assert.True(validator.ValidateTrade(Trade(100m)).IsAccepted);

        var result = validator.ValidateTrade(Trade(100m));

        Assert.Equal(RejectionReason.Duplicate, result.Reason);
        Assert.True(validator.ValidateTrade(Trade(100m, exchange: "Q")).IsAccepted);
    }

    [Fact]
    public void ValidateTrade_UsesSourceId_ForIdenticalPrintsWithDifferentIds()
    {
        var validator = new TickValidator();

        Assert.True(validator.ValidateTrade(Trade(100m), sourceId: 1).IsAccepted);
        Assert.True(validator.ValidateTrade(Trade(100m), sourceId: 2).IsAccepted);
        Assert.Equal(RejectionReason.Duplicate, validator.ValidateTrade(Trade(100m), sourceId: 1).Reason);
    }

    [Fact]
    public void ValidateTrade_UsesTheTicksOwnSourceId_WhenNoneIsPassed()
    {
        var validator = new TickValidator();
        var feed = new TradeEvent(Trade(100m), SourceId: 7);

        Assert.True(validator.ValidateTrade(feed.ToTick()).IsAccepted);
        Assert.True(validator.ValidateTrade(new TradeEvent(Trade(100m), SourceId: 8).ToTick()).IsAccepted);
        Assert.Equal(RejectionReason.Duplicate, validator.ValidateTrade(feed.ToTick()).Reason);
    }

    [Fact]
    public void ValidateTrade_DuplicateWindow_IsBounded()
    {
        var validator = new TickValidator(new TickValidatorOptions { DuplicateWindowSize = 3, PriceBandPercent = 0m });
        for (var i = 0; i < 4; i++)
        {
            Assert.True(validator.ValidateTrade(Trade(100m + i, ms: i)).IsAccepted);
        }

        // The first tick fell out of a window of three, the last three are still remembered (the oldest of them too).
        Assert.Equal(RejectionReason.Duplicate, validator.ValidateTrade(Trade(101m, ms: 1)).Reason);
        Assert.True(validator.ValidateTrade(Trade(100m, ms: 0)).IsAccepted);
        Assert.Equal(RejectionReason.Duplicate, validator.ValidateTrade(Trade(103m, ms: 3)).Reason);
    }

    [Fact]
    public void ValidateTrade_RejectsPriceOutsideBand_AfterWarmup()
    {
        var validator = new TickValidator(new TickValidatorOptions { PriceBandPercent = 5m, BandWarmupCount = 2 });
        Assert.True(validator.ValidateTrade(Trade(100m, ms: 1)).IsAccepted);
        Assert.True(validator.ValidateTrade(Trade(150m, ms: 2)).IsAccepted); // warm-up: the band is not active yet
        Assert.True(validator.ValidateTrade(Trade(151m, ms: 3)).IsAccepted);

        var result = validator.ValidateTrade(Trade(170m, ms: 4));

        Assert.Equal(RejectionReason.OutsidePriceBand, result.Reason);
        Assert.True(validator.ValidateTrade(Trade(158m, ms: 5)).IsAccepted); // 4.6% from 151
        Assert.Equal(1, validator.GetCounters().RejectedByReason[RejectionReason.OutsidePriceBand]);
    }

    [Fact]
    public void ValidateTrade_Reanchors_AfterConsecutiveOutOfBandPrices()
    {
        var validator = new TickValidator(new TickValidatorOptions { PriceBandPercent = 5m, BandWarmupCount = 1, ReanchorAfterConsecutiveRejections = 3 });
        Assert.True(validator.ValidateTrade(Trade(100m, ms: 1)).IsAccepted);

        Assert.Equal(RejectionReason.OutsidePriceBand, validator.ValidateTrade(Trade(80m, ms: 2)).Reason);
        Assert.Equal(RejectionReason.OutsidePriceBand, validator.ValidateTrade(Trade(80m, ms: 3)).Reason);
        Assert.True(validator.ValidateTrade(Trade(80m, ms: 4)).IsAccepted);
        Assert.True(validator.ValidateTrade(Trade(81m, ms: 5)).IsAccepted);

        var counters = validator.GetCounters();
        Assert.Equal(1, counters.Reanchors);
        Assert.Equal(2, counters.RejectedByReason[RejectionReason.OutsidePriceBand]);
        Assert.Equal(3, counters.Accepted);
    }

    /// <summary>
    /// A re-anchor takes a new level (a halt gap): consecutive out-of-band prices that agree with one another. Bad prints
    /// scattered in every direction are no level: before, the 3rd of 80, 500 and 20 was accepted as the reference, the last
    /// trade and the accounts' mark, and the real prints at 100 after it were refused as out of band.
    /// </summary>
    [Fact]
    public void ValidateTrade_ScatteredOutOfBandPrices_DoNotReanchor_AConsistentRunDoes()
    {
        var validator = new TickValidator(new TickValidatorOptions { PriceBandPercent = 5m, BandWarmupCount = 1, ReanchorAfterConsecutiveRejections = 3 });
        Assert.True(validator.ValidateTrade(Trade(100m, ms: 1)).IsAccepted);

        Assert.Equal(
            [RejectionReason.OutsidePriceBand, RejectionReason.OutsidePriceBand, RejectionReason.OutsidePriceBand],
            new[] { 80m, 500m, 20m }.Select((price, i) => validator.ValidateTrade(Trade(price, ms: 2 + i)).Reason));
        Assert.Equal(0, validator.GetCounters().Reanchors);
        Assert.True(validator.ValidateTrade(Trade(100.5m, ms: 5)).IsAccepted);

        // A run restarts at a price that does not agree with its first: 150 then 151 and 152 (within 5 % of 150).
        Assert.Equal(RejectionReason.OutsidePriceBand, validator.ValidateTrade(Trade(300m, ms: 6)).Reason);
        Assert.Equal(RejectionReason.OutsidePriceBand, validator.ValidateTrade(Trade(150m, ms: 7)).Reason);
        Assert.Equal(RejectionReason.OutsidePriceBand, validator.ValidateTrade(Trade(151m, ms: 8)).Reason);
        Assert.True(validator.ValidateTrade(Trade(152m, ms: 9)).IsAccepted);
        Assert.Equal(1, validator.GetCounters().Reanchors);
    }

    [Fact]
    public void ValidateTrade_ARunAtTheEdgeOfItsFirstPricesBand_AgreesWithIt_AndReanchors()
    {
        // Within the band includes its edge, as for the reference: 157.5 and 142.5 are exactly 5 % from the run's first, 150.
        var validator = new TickValidator(new TickValidatorOptions { PriceBandPercent = 5m, BandWarmupCount = 1, ReanchorAfterConsecutiveRejections = 3 });
        Assert.True(validator.ValidateTrade(Trade(100m, ms: 1)).IsAccepted);

        Assert.Equal(RejectionReason.OutsidePriceBand, validator.ValidateTrade(Trade(150m, ms: 2)).Reason);
        Assert.Equal(RejectionReason.OutsidePriceBand, validator.ValidateTrade(Trade(157.5m, ms: 3)).Reason);
        Assert.True(validator.ValidateTrade(Trade(142.5m, ms: 4)).IsAccepted);
        Assert.Equal(1, validator.GetCounters().Reanchors);
    }

    /// <summary>
    /// A print sent again (a feed that resends after a reconnect, a replay restarted) is the same print: its copies are
    /// duplicates, not further out-of-band prices, or a few copies of one bad print re-anchored the band on it and the last
    /// copy went through as a trade.
    /// </summary>
    [Fact]
    public void ValidateTrade_CopiesOfAnOutOfBandPrint_AreDuplicates_AndDoNotReanchorTheBand()
    {
        var validator = new TickValidator(new TickValidatorOptions { PriceBandPercent = 5m, BandWarmupCount = 1, ReanchorAfterConsecutiveRejections = 3 });
        Assert.True(validator.ValidateTrade(Trade(100m, ms: 1), sourceId: 1).IsAccepted);

        var copies = Enumerable.Range(0, 3).Select(_ => validator.ValidateTrade(Trade(150m, ms: 2), sourceId: 2).Reason).ToArray();

        Assert.Equal([RejectionReason.OutsidePriceBand, RejectionReason.Duplicate, RejectionReason.Duplicate], copies);
        Assert.Equal(0, validator.GetCounters().Reanchors);
        Assert.True(validator.ValidateTrade(Trade(101m, ms: 3), sourceId: 3).IsAccepted);
    }

    [Fact]
    public void ValidateQuote_Accepts_TwoSidedQuote()
    {
        Assert.True(new TickValidator().ValidateQuote(Quote(13.84m, 13.85m)).IsAccepted);
    }

    [Fact]
    public void ValidateQuote_RejectsOneSidedQuote_AndCountsIt()
    {
        var validator = new TickValidator();

        Assert.Equal(RejectionReason.OneSidedQuote, validator.ValidateQuote(Quote(0m, 14.02m)).Reason);
        Assert.Equal(RejectionReason.OneSidedQuote, validator.ValidateQuote(Quote(13.84m, 0m, ms: 1)).Reason);
        Assert.Equal(2, validator.GetCounters().RejectedByReason[RejectionReason.OneSidedQuote]);
    }

    [Fact]
    public void ValidateQuote_AcceptsOneSidedQuote_WhenConfigured()
    {
        var validator = new TickValidator(new TickValidatorOptions { RejectOneSidedQuotes = false });

        Assert.True(validator.ValidateQuote(Quote(0m, 14.02m)).IsAccepted);
    }

    [Fact]
    public void ValidateQuote_RejectsCrossedQuote()
    {
        Assert.Equal(RejectionReason.CrossedQuote, new TickValidator().ValidateQuote(Quote(13.86m, 13.85m)).Reason);
    }

    [Fact]
    public void ValidateQuote_RejectsNonPositivePriceAndSize()
    {
        var validator = new TickValidator();

        Assert.Equal(RejectionReason.NonPositivePrice, validator.ValidateQuote(Quote(-1m, 13.85m)).Reason);
        Assert.Equal(RejectionReason.NonPositiveSize, validator.ValidateQuote(Quote(13.84m, 13.85m, bidSize: 0m)).Reason);
        Assert.Equal(RejectionReason.NonPositivePrice, validator.ValidateQuote(Quote(0m, 0m)).Reason);
    }

    [Fact]
    public void ValidateQuote_RejectsMidOutsideBand()
    {
        var validator = new TickValidator(new TickValidatorOptions { PriceBandPercent = 10m, BandWarmupCount = 1 });
        Assert.True(validator.ValidateQuote(Quote(10.00m, 10.02m)).IsAccepted);

        Assert.Equal(RejectionReason.OutsidePriceBand, validator.ValidateQuote(Quote(12.00m, 12.02m, ms: 1)).Reason);
    }

    [Fact]
    public void ValidateBar_RejectsInconsistentBar_AndAcceptsGoodOne()
    {
        var validator = new TickValidator();
        var good = new Bar("SPY", T0, TimeSpan.FromMinutes(1), 10m, 11m, 9m, 10.5m, 1000m);

        Assert.True(validator.ValidateBar(good).IsAccepted);
        Assert.Equal(RejectionReason.InvalidBar, validator.ValidateBar(good with { Start = T0.AddMinutes(1), High = 9.5m }).Reason);
        Assert.Equal(RejectionReason.Duplicate, validator.ValidateBar(good).Reason);
        Assert.Equal(RejectionReason.NonPositiveSize, validator.ValidateBar(good with { Start = T0.AddMinutes(2), Volume = -1m }).Reason);
    }

    [Fact]
    public void Validate_RejectsSymbolsBeyondLimit()
    {
        var validator = new TickValidator(new TickValidatorOptions { MaxSymbols = 1 });
        Assert.True(validator.ValidateTrade(Trade(100m)).IsAccepted);

        Assert.Equal(RejectionReason.TooManySymbols, validator.ValidateTrade(Trade(100m, symbol: "IBM")).Reason);
    }

    [Fact]
    public void ValidateTrade_RejectsAnAbsurdFirstPrint_BeforeTheBandHasWarmedUp()
    {
        var validator = new TickValidator();

        var result = validator.ValidateTrade(Trade(1e26m));

        Assert.Equal(RejectionReason.PriceAboveMaximum, result.Reason);
        Assert.Equal(1, validator.GetCounters().RejectedByReason[RejectionReason.PriceAboveMaximum]);
        Assert.Equal(0, validator.GetCounters().Accepted);
    }

    [Fact]
    public void ValidateTrade_AbsurdPrints_NeverReanchorTheBand()
    {
        var validator = new TickValidator(new TickValidatorOptions { BandWarmupCount = 1, ReanchorAfterConsecutiveRejections = 2 });
        Assert.True(validator.ValidateTrade(Trade(100m)).IsAccepted);

        var absurd = Enumerable.Range(1, 5).Select(i => validator.ValidateTrade(Trade(1e26m, ms: i)).Reason).ToList();

        Assert.All(absurd, r => Assert.Equal(RejectionReason.PriceAboveMaximum, r));
        Assert.Equal(0, validator.GetCounters().Reanchors);
        Assert.Equal(RejectionReason.OutsidePriceBand, validator.ValidateTrade(Trade(200m, ms: 10)).Reason);
    }

    [Fact]
    public void ValidateTrade_AcceptsThePriceCeilingItself_AndHonoursAConfiguredOne()
    {
        Assert.True(new TickValidator().ValidateTrade(Trade(10_000_000m)).IsAccepted);

        var validator = new TickValidator(new TickValidatorOptions { MaxPrice = 1_000m });

        Assert.Equal(RejectionReason.PriceAboveMaximum, validator.ValidateTrade(Trade(1_000.01m)).Reason);
    }

    [Fact]
    public void ValidateTrade_RejectsAnAbsurdSize()
    {
        var validator = new TickValidator();

        Assert.Equal(RejectionReason.SizeAboveMaximum, validator.ValidateTrade(Trade(100m, size: 1e20m)).Reason);
        Assert.True(validator.ValidateTrade(Trade(100m, size: 1_000_000_000m, ms: 1)).IsAccepted);
        Assert.Equal(1, validator.GetCounters().RejectedByReason[RejectionReason.SizeAboveMaximum]);
    }

    [Fact]
    public void ValidateQuote_RejectsAnAbsurdAskOrSize_BeforeTheBandHasWarmedUp()
    {
        var validator = new TickValidator();

        Assert.Equal(RejectionReason.PriceAboveMaximum, validator.ValidateQuote(Quote(13.84m, 1e26m)).Reason);
        Assert.Equal(RejectionReason.SizeAboveMaximum, validator.ValidateQuote(Quote(13.84m, 13.85m, askSize: 1e20m, ms: 1)).Reason);
        Assert.Equal(0, validator.GetCounters().Accepted);
    }

    [Fact]
    public void ValidateBar_RejectsAnAbsurdPrice_ButNotALargeVolume()
    {
        var validator = new TickValidator();
        var bar = new Bar("SPY", T0, TimeSpan.FromMinutes(1), 10m, 1e26m, 9m, 10.5m, 1000m);

        Assert.Equal(RejectionReason.PriceAboveMaximum, validator.ValidateBar(bar).Reason);

        // A daily bar's volume sums a day of trades: beyond any one print's MaxSize, and still real.
        Assert.True(validator.ValidateBar(bar with { Start = T0.AddDays(1), Interval = TimeSpan.FromDays(1), High = 11m, Volume = 5_000_000_000m }).IsAccepted);
    }

    [Theory]
    [InlineData(0, 1, "MaxPrice")]
    [InlineData(-1, 1, "MaxPrice")]
    [InlineData(1, 0, "MaxSize")]
    public void Constructor_Throws_OnANonPositiveCeiling(int maxPrice, int maxSize, string named)
    {
        var ex = Assert.Throws<ArgumentException>(() => new TickValidator(new TickValidatorOptions { MaxPrice = maxPrice, MaxSize = maxSize }));
        Assert.Contains($"MarketData:Validation:{named} must be > 0", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_Throws_OnInvalidOptions()
    {
        var ex = Assert.Throws<ArgumentException>(() => new TickValidator(new TickValidatorOptions { DuplicateWindowSize = 0 }));
        Assert.Contains("DuplicateWindowSize", ex.Message, StringComparison.Ordinal);
    }
}
