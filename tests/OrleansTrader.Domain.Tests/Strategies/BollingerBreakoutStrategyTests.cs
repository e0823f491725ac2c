using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Strategies;

namespace OrleansTrader.Domain.Tests.Strategies;

public sealed class BollingerBreakoutStrategyTests
{
    // Bands over the previous 4 closes, k = 2: bar 4 (12) breaks a flat band at 10; bar 5 (13) is above 12.23 but
    // the position is held; bar 6 (11) falls below the middle 11.25.
    private static readonly decimal[] Closes = [10m, 10m, 10m, 10m, 12m, 13m, 11m, 9m, 10m];

    [Fact]
    public void OnBar_EntersAboveUpperBand_AndExitsBelowMiddle()
    {
        var harness = new StrategyHarness(Create());

        harness.Feed(Closes);

        Assert.Equal([(4, OrderSide.Buy, 100m), (6, OrderSide.Sell, 100m)], harness.Summary());
        Assert.Equal("close 12 > upper band 10", harness.Intents[0].Intent.Reason);
        Assert.Equal("close 11 < middle band 11.25", harness.Intents[1].Intent.Reason);
    }

    [Fact]
    public void OnBar_DoesNothing_DuringWarmUp()
    {
        var harness = new StrategyHarness(Create());

        harness.Feed([10m, 10m, 10m, 50m]);

        Assert.Empty(harness.Intents);
    }

    [Fact]
    public void Parameters_RejectNonPositiveK()
    {
        var error = Assert.Throws<StrategyParameterException>(() => new BollingerBreakoutStrategy(new BollingerBreakoutParameters { Symbol = "SPY", Quantity = 1m, K = 0m }));

        Assert.Equal("k", Assert.Single(error.Errors).Parameter);
    }

    private static BollingerBreakoutStrategy Create() => new(new BollingerBreakoutParameters
    {
        Symbol = "SPY",
        Quantity = 100m,
        Period = 4,
        K = 2m,
    });
}
