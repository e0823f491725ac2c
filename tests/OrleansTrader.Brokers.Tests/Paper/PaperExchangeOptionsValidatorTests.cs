using Microsoft.Extensions.Options;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Instruments;
using OrleansTrader.Domain.Orders;
using static OrleansTrader.Brokers.Tests.Paper.PaperHarness;

namespace OrleansTrader.Brokers.Tests.Paper;

/// <summary>
/// A fill increment that neither divides a lot nor is a whole number of lots strands part of an order for ever: under 0.3
/// a 1-share market order filled 0.9 and kept 0.1 working; under 1.5 a bracket stop-loss shrunk to 2.5 shares filled 2 and
/// kept half a share working. The venue refuses to start with one.
/// </summary>
public sealed class PaperExchangeOptionsValidatorTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static ValidateOptionsResult Validate(decimal increment, Action<PaperExchangeOptions>? configure = null)
    {
        var options = new PaperExchangeOptions();
        options.FillModel = options.FillModel with { QuantityIncrement = increment };
        configure?.Invoke(options);
        return new PaperExchangeOptionsValidator().Validate(null, options);
    }

    [Theory]
    [InlineData("0.3")]
    [InlineData("0.7")]
    [InlineData("0.3333")]
    [InlineData("1.5")]
    [InlineData("2.5")]
    public void AnIncrementThatStrandsPartOfAWholeShareOrder_IsRefusedNamingTheKey(string increment)
    {
        var result = Validate(decimal.Parse(increment, System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(result.Failed);
        var failure = Assert.Single(result.Failures ?? []);
        Assert.StartsWith("PaperExchange:FillModel:QuantityIncrement", failure, StringComparison.Ordinal);
        Assert.Contains("must divide a share (the lot of an unlisted symbol) or be a whole multiple of it", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("00:00:00", "must be positive")]
    [InlineData("-1.00:00:00", "must be positive")]
    [InlineData("00:30:00", "must be at least PaperExchange:Retention (01:00:00)")]
    public void AFinalOrderRetentionThatIsNotPositive_OrShorterThanTheMemoryRetention_IsRefusedNamingTheKey(string retention, string reason)
    {
        var result = Validate(1m, o => o.FinalOrderRetention = TimeSpan.Parse(retention, System.Globalization.CultureInfo.InvariantCulture));

        var failure = Assert.Single(result.Failures ?? []);
        Assert.StartsWith("PaperExchange:FinalOrderRetention", failure, StringComparison.Ordinal);
        Assert.Contains(reason, failure, StringComparison.Ordinal);
    }

    [Fact]
    public void FinalOrderRetention_DefaultsToThirtyDays_AndAValueOfYearsIsAccepted()
    {
        Assert.Equal(TimeSpan.FromDays(30), new PaperExchangeOptions().FinalOrderRetention);
        Assert.True(Validate(1m, o => o.FinalOrderRetention = TimeSpan.MaxValue).Succeeded);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("0.5")]
    [InlineData("0.25")]
    [InlineData("0.1")]
    [InlineData("2")]
    [InlineData("100")]
    public void AnIncrementThatDividesAShareOrIsWholeShares_IsAccepted(string increment) =>
        Assert.True(Validate(decimal.Parse(increment, System.Globalization.CultureInfo.InvariantCulture)).Succeeded);

    [Fact]
    public void AnIncrementOffAListedInstrumentsLot_IsRefusedNamingTheInstrument()
    {
        var result = Validate(30m, o =>
        {
            o.AcceptUnlistedSymbols = false;
            o.Instruments.Add(new Instrument { Symbol = "ROUND", LotSize = 100m, MinQuantity = 100m });
        });

        var failure = Assert.Single(result.Failures ?? []);
        Assert.Contains("the lot size 100 of ROUND", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void AnIncrementThatDividesEveryLot_IsAccepted_WhenNoUnlistedSymbolTrades() =>
        Assert.True(Validate(50m, o =>
        {
            o.AcceptUnlistedSymbols = false;
            o.Instruments.Add(new Instrument { Symbol = "ROUND", LotSize = 100m, MinQuantity = 100m });
        }).Succeeded);

    /// <summary>The venue itself checks its options: it never starts with an increment that would strand a 1-share order.</summary>
    [Fact]
    public async Task TheVenue_RefusesToStart_WithAnIncrementThatStrandsARemainder()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var venue = await StartAsync(o => o.FillModel = o.FillModel with { QuantityIncrement = 0.3m });
            await venue.QuoteAsync(99.90m, 100.00m, askSize: 1_000m);
            await venue.SubmitAsync(Request("one-share", OrderSide.Buy, OrderType.Market, 1m, tif: TimeInForce.Gtc));
        });

        Assert.Contains(error.Failures, f => f.StartsWith("PaperExchange:FillModel:QuantityIncrement 0.3", StringComparison.Ordinal));
    }
}
