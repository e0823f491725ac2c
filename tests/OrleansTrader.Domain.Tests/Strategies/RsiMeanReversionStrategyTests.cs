using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Strategies;

namespace OrleansTrader.Domain.Tests.Strategies;

public sealed class RsiMeanReversionStrategyTests
{
    // RSI(2): -, -, 50, 25, 12.5, 56.25, 78.125, 89.06, 94.53, 47.27.
    private static readonly decimal[] Closes = [10m, 11m, 10m, 9m, 8m, 9m, 10m, 11m, 12m, 11m];

    [Fact]
    public void OnBar_BuysBelowOversold_AndExitsAboveOverbought()
    {
        var harness = new StrategyHarness(Create(exitAtMid: false));

        harness.Feed(Closes);

        Assert.Equal([(3, OrderSide.Buy, 5m), (6, OrderSide.Sell, 5m)], harness.Summary());
        Assert.Equal("RSI(2) 25 < oversold 30", harness.Intents[0].Intent.Reason);
    }

    [Fact]
    public void OnBar_ExitsAtMid_WhenConfigured()
    {
        var harness = new StrategyHarness(Create(exitAtMid: true));

        harness.Feed(Closes);

        Assert.Equal([(3, OrderSide.Buy, 5m), (5, OrderSide.Sell, 5m)], harness.Summary());
    }

    [Fact]
    public void OnBar_DoesNotAddToAnOpenEntry()
    {
        var harness = new StrategyHarness(Create(exitAtMid: false)) { AutoFill = false };

        harness.Feed(Closes.Take(5));

        Assert.Equal([(3, OrderSide.Buy, 5m)], harness.Summary());
        Assert.Single(harness.Context.OpenOrders);
    }

    [Fact]
    public void Parameters_Validate_ThresholdRanges()
    {
        var errors = new RsiMeanReversionParameters { Symbol = "SPY", Quantity = 1m, Period = 0, Oversold = 60m, Overbought = 100m }.Validate();

        Assert.Equal(["period", "oversold", "overbought"], errors.Select(e => e.Parameter));
    }

    private static RsiMeanReversionStrategy Create(bool exitAtMid) => new(new RsiMeanReversionParameters
    {
        Symbol = "SPY",
        Quantity = 5m,
        Period = 2,
        Oversold = 30m,
        Overbought = 70m,
        ExitAtMid = exitAtMid,
    });
}
